import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { candidatePool, feasibilityFactors, penalise, spaceFilling, topIndices } from './candidates.js';
import { fitFeasibility } from './feasibility.js';
import { observationTask, type RegressionTask } from './tasks.js';

export interface SmboOptions {
  /** The initial design, tried first (until that many trials have succeeded). */
  design: readonly Config[];
  /** Encoded distance within which an infeasible or failed configuration makes a candidate suspect. */
  infeasibleRadius: number;
  /** Spaces larger than this are scored on a seeded sample plus neighbours of the best. */
  maxCandidates: number;
  seed: number;
}

/**
 * Scores candidates (rows of the unit-cube encoding) given the regression task of the observations so
 * far; larger is better. `undefined`: no model can be built yet (the search then fills space).
 */
export type Acquisition = (
  task: RegressionTask,
  candidates: readonly (readonly number[])[],
) => Float64Array | undefined | Promise<Float64Array | undefined>;

/**
 * Sequential model-based optimisation over the discrete space, the loop Morphling and its network
 * baselines share: the initial design first; then the surrogate scores every configuration not in the
 * history (succeeded, infeasible, failed, running or pending alike — never suggested twice), scores
 * near infeasible/failed observations are pulled down towards the worst (feasibility factor, as in
 * bo.ts), and the `count` best distinct candidates are returned. Deterministic when `acquire` is.
 */
export async function smboSuggest(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  options: SmboOptions,
  acquire: Acquisition,
): Promise<Config[]> {
  if (count <= 0) return [];
  const excluded = new Set(history.map((o) => space.key(o.config)));
  const succeeded = history.filter(
    (o) => o.status === 'succeeded' && typeof o.score === 'number' && Number.isFinite(o.score),
  );
  const picks: Config[] = [];
  if (succeeded.length < options.design.length) {
    for (const config of options.design) {
      if (picks.length >= count) break;
      const key = space.key(config);
      if (excluded.has(key)) continue;
      excluded.add(key);
      picks.push(config);
    }
  }
  if (picks.length >= count) return picks;

  const pool = candidatePool(space, excluded, succeeded, options);
  if (pool.length === 0) return picks;
  const points = pool.map((c) => space.encode(c));
  const wanted = Math.min(count - picks.length, pool.length);
  const values = await acquire(observationTask(space, history), points);
  let chosen: number[];
  if (values === undefined) {
    const occupied = [...history.map((o) => o.config), ...picks].map((c) => space.encode(c));
    chosen = spaceFilling(points, occupied, wanted);
  } else {
    const bad = history
      .filter((o) => o.status === 'infeasible' || o.status === 'failed')
      .map((o) => space.encode(o.config));
    const factors = feasibilityFactors(points, bad, options.infeasibleRadius);
    if (process.env.FEAS !== 'radius') {
      const classifier = fitFeasibility(
        succeeded.map((o) => space.encode(o.config)),
        bad,
      );
      points.forEach((point, j) => {
        factors[j] =
          (process.env.FEAS === 'classifier' ? 1 : (factors[j] as number)) * classifier.probability(point);
      });
    }
    chosen = topIndices(penalise(values, factors), wanted);
  }
  for (const index of chosen) picks.push(pool[index] as Config);
  return picks;
}
