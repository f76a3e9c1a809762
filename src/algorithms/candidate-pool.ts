import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { designPicks } from './initial-design.js';
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

/** How a model-based search (bo, vizier, the meta-model searches) begins a suggestion of `count`. */
export interface SearchStart {
  /** The observations with a finite score: the model's training data. */
  succeeded: Observation[];
  /** The initial design's configurations still to try, at most `count`. */
  picks: Config[];
  /** Unmeasured configurations the model is to rank; empty when the design's picks fill `count`. */
  pool: Config[];
  /** How many of the pool to pick: what the design left of `count`, at most the pool's size. */
  wanted: number;
}

/**
 * Splits a suggestion between the initial design (while fewer trials than it holds have succeeded) and
 * the candidate pool, never offering a configuration already in the history or picked.
 */
export function startSearch(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  design: readonly Config[],
  options: { maxCandidates: number; seed: number },
): SearchStart {
  const excluded = new Set(history.map((o) => space.key(o.config)));
  const succeeded = history.filter((o) => o.status === 'succeeded' && Number.isFinite(o.score));
  const picks = designPicks(space, design, succeeded.length, excluded, count);
  const pool = picks.length >= count ? [] : candidatePool(space, excluded, succeeded, options);
  return { succeeded, picks, pool, wanted: Math.min(count - picks.length, pool.length) };
}
