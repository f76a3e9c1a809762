import { startSearch } from '../algorithms/candidate-pool.js';
import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { spaceFilling, topIndices } from './candidates.js';
import { fitFeasibility } from './feasibility.js';
import { observationTask, type RegressionTask } from './tasks.js';

export interface SmboOptions {
  /** The initial design, tried first (until that many trials have succeeded). */
  design: readonly Config[];
  /**
   * Candidates whose estimated probability of being feasible is below this are ranked by value × p
   * (pulled towards the worst candidate); at or above it they are not penalised. 0 turns it off.
   */
  feasibilityThreshold: number;
  /**
   * Trials per categorical value (GPU type, ...) without a success after which that value no longer
   * gets a coverage pick; 0 turns coverage off.
   */
  coverageAttempts: number;
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
 * baselines share:
 *
 * 1. The initial design first (until as many trials have succeeded as it has configurations).
 * 2. The surrogate scores every configuration not in the history (succeeded, infeasible, failed,
 *    running or pending alike: nothing is suggested twice).
 * 3. Infeasible and failed trials are not regression targets; a feasibility classifier fitted on all
 *    finished trials (feasibility.ts) estimates p(feasible) per candidate, and candidates with p below
 *    `feasibilityThreshold` are pulled down in proportion. Optima of cost objectives sit right at the
 *    feasibility boundary (the least memory that fits), so candidates on the feasible side are not
 *    penalised at all — a distance-based penalty would bury exactly them.
 * 4. Categorical coverage: a value of a categorical knob (a GPU type) that no trial has succeeded with
 *    yet, and that has had fewer than `coverageAttempts` trials, gets the best-scoring candidate with
 *    that value first. A network cannot know from other values how a new service ranks GPU types (it
 *    is model-specific), and a fitted surrogate without variance would never go and look.
 * 5. The remaining picks are the best-scoring distinct candidates.
 * Deterministic when `acquire` is.
 */
export async function smboSuggest(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  options: SmboOptions,
  acquire: Acquisition,
): Promise<Config[]> {
  if (count <= 0) return [];
  const { succeeded, picks, pool, wanted } = startSearch(space, history, count, options.design, options);
  if (pool.length === 0) return picks;
  const points = pool.map((c) => space.encode(c));
  const values = await acquire(observationTask(space, history), points);
  if (values === undefined) {
    const occupied = [...history.map((o) => o.config), ...picks].map((c) => space.encode(c));
    for (const index of spaceFilling(points, occupied, wanted)) picks.push(pool[index] as Config);
    return picks;
  }

  const bad = history.filter((o) => o.status === 'infeasible' || o.status === 'failed');
  const ranked = penaliseInfeasible(
    values,
    points,
    succeeded.map((o) => space.encode(o.config)),
    bad.map((o) => space.encode(o.config)),
    options.feasibilityThreshold,
  );
  const chosen = new Set<number>();
  for (const [name, value] of uncoveredValues(space, history, options.coverageAttempts)) {
    if (chosen.size >= wanted) break;
    let best = -1;
    pool.forEach((config, j) => {
      if (chosen.has(j) || config[name] !== value) return;
      if (best < 0 || (ranked[j] as number) > (ranked[best] as number)) best = j;
    });
    if (best >= 0) chosen.add(best);
  }
  for (const index of topIndices(ranked, wanted + chosen.size)) {
    if (chosen.size >= wanted) break;
    chosen.add(index);
  }
  for (const index of chosen) picks.push(pool[index] as Config);
  return picks;
}

/** value × p for candidates with p(feasible) < threshold, pulled towards the lowest value; others unchanged. */
function penaliseInfeasible(
  values: Float64Array,
  points: readonly (readonly number[])[],
  feasible: readonly (readonly number[])[],
  infeasible: readonly (readonly number[])[],
  threshold: number,
): Float64Array {
  let lowest = Number.POSITIVE_INFINITY;
  for (const v of values) if (Number.isFinite(v)) lowest = Math.min(lowest, v);
  const classifier =
    threshold > 0 && infeasible.length > 0 ? fitFeasibility(feasible, infeasible) : undefined;
  return values.map((v, j) => {
    if (!Number.isFinite(v)) return Number.NEGATIVE_INFINITY;
    const p = classifier ? classifier.probability(points[j] as readonly number[]) : 1;
    return p >= threshold ? v : lowest + (v - lowest) * p;
  });
}

/**
 * Categorical values (knob name, value) with no succeeded trial yet and fewer than `attempts` trials of
 * any status, in space order.
 */
export function uncoveredValues(
  space: SearchSpace,
  history: readonly Observation[],
  attempts: number,
): [string, Config[string]][] {
  if (attempts <= 0) return [];
  const result: [string, Config[string]][] = [];
  for (const p of space.parameters) {
    if (p.scale !== 'one-hot') continue;
    for (const value of p.values) {
      const trials = history.filter((o) => space.canonical(o.config)[p.name] === value);
      if (trials.length < attempts && !trials.some((o) => o.status === 'succeeded'))
        result.push([p.name, value]);
    }
  }
  return result;
}
