import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { permutation } from './random.js';

/**
 * Every configuration not in `excluded` — or, for a space above `maxCandidates`, a seeded sample of
 * them plus the neighbours of the best observations (where the optimum most likely is).
 */
export function candidatePool(
  space: SearchSpace,
  excluded: ReadonlySet<string>,
  succeeded: readonly Observation[],
  options: { maxCandidates: number; seed: number },
): Config[] {
  const pool: Config[] = [];
  const seen = new Set<string>();
  const add = (config: Config) => {
    const key = space.key(config);
    if (excluded.has(key) || seen.has(key)) return;
    seen.add(key);
    pool.push(config);
  };
  if (space.size <= options.maxCandidates) {
    for (const config of space.configs()) add(config);
    return pool;
  }
  for (const index of permutation(space.size, options.seed)) {
    if (pool.length >= options.maxCandidates) break;
    add(space.configAt(index));
  }
  const best = [...succeeded].sort((a, b) => (b.score as number) - (a.score as number)).slice(0, 5);
  for (const o of best) for (const neighbour of space.neighbours(o.config)) add(neighbour);
  return pool;
}
