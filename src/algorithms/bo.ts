import { z } from 'zod';
import {
  CandidatePosterior,
  concatPoints,
  DEFAULT_PRIORS,
  fitHyperparameters,
  GaussianProcess,
  type Hyperparameters,
  logExpectedImprovement,
  type Points,
  standardise,
  toPoints,
  upperConfidenceBound,
} from '../gp/index.js';
import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { defineAlgorithm } from './algorithm.js';
import { startSearch } from './candidate-pool.js';
import { gpSearchSettings } from './gp-search-settings.js';
import { settingsDesign } from './initial-design.js';

const settings = z.strictObject({
  /** `ei`: expected improvement; `ucb`: upper confidence bound. */
  acquisition: z.enum(['ei', 'ucb']).default('ei'),
  /** EI's minimum improvement, in standard deviations of the observed scores. */
  xi: z.coerce.number().min(0).default(0.01),
  /** UCB's β in μ + √β·σ. */
  ucbBeta: z.coerce.number().min(0).default(2),
  ...gpSearchSettings,
});

export type BoSettings = z.infer<typeof settings>;

/**
 * Bayesian optimisation over the discrete space (Morphling's search): a corner design first, then a
 * Gaussian process (Matérn 5/2 ARD, hyperparameters refitted by MAP on every call) on the succeeded
 * trials, and the acquisition's argmax over every unmeasured configuration.
 *
 * - Infeasible and failed trials are not fitted (a 0 would teach the GP a cliff that is not in the
 *   objective); they stay out of the model and instead multiply the acquisition of each candidate by
 *   Π (1 − exp(−½ (d/ρ)²)) over them, d the encoded distance, ρ = `infeasibleRadius` — a soft
 *   "probability of being feasible" that is ~0 next to a failure and ~1 a few radii away. For UCB
 *   (which can be negative) the factor shrinks the value towards the worst candidate's instead. The
 *   distance is the plain unit-cube one, not the GP's length-scale metric: memory barely moves
 *   throughput (long length scale) yet decides out-of-memory failures.
 * - Pending and running trials, and each pick of a batch, are "kriging believer" lies: the GP is told
 *   they returned its own posterior mean, so the mean is unchanged but the uncertainty near them
 *   collapses and the next pick moves elsewhere. A config is never suggested twice: candidates exclude
 *   the whole history and earlier picks.
 * - EI's incumbent is the best posterior mean at a succeeded configuration (robust to a lucky noisy
 *   measurement); EI is ranked in log space so candidates far below the incumbent still compare.
 * - Fewer than two succeeded trials cannot fit a model: remaining picks are then space-filling (the
 *   candidate farthest from everything tried or picked).
 * Pure and deterministic: the seed fixes the hyperparameter restarts and the candidate sample.
 */
export const bo = defineAlgorithm({
  name: 'bo',
  description: 'Bayesian optimisation: corner design, then a Matérn-5/2 Gaussian process with EI or UCB',
  settings,
  create: (options) => ({
    suggest: ({ space, history, count }) => suggestBo(space, history, count, options),
  }),
});

type GpSearchOptions = Parameters<typeof settingsDesign>[1] & Parameters<typeof startSearch>[4];

/**
 * The start `bo` and `vizier` share: the corner design from the settings, the picks it still owes,
 * and the unmeasured candidate pool, encoded for the GP.
 */
export function startGpSearch(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  options: GpSearchOptions,
) {
  const search = startSearch(space, history, count, settingsDesign(space, options), options);
  const candidates = toPoints(
    search.pool.map((c) => space.encode(c)),
    space.dimension,
  );
  return { ...search, candidates };
}

export function suggestBo(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  options: BoSettings,
): Config[] {
  if (count <= 0) return [];
  const { succeeded, picks, pool, wanted, candidates } = startGpSearch(space, history, count, options);
  if (pool.length === 0) return picks;
  const chosen =
    succeeded.length < 2
      ? spaceFilling(space, candidates, history, picks, wanted)
      : modelPicks(space, candidates, history, succeeded, picks, wanted, options);
  for (const index of chosen) picks.push(pool[index] as Config);
  return picks;
}

function squaredDistance(a: Points, i: number, b: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < a.dim; d++) sum += ((a.data[i * a.dim + d] as number) - (b[d] as number)) ** 2;
  return sum;
}

/**
 * Greedy max–min distance picks (ties: lowest index). With nothing tried yet the first pick is the
 * candidate nearest the centre of the cube.
 */
function spaceFilling(
  space: SearchSpace,
  candidates: Points,
  history: readonly Observation[],
  picks: readonly Config[],
  wanted: number,
): number[] {
  const occupied = [...history.map((o) => o.config), ...picks].map((c) => space.encode(c));
  const nearest = new Float64Array(candidates.count).fill(Number.POSITIVE_INFINITY);
  const update = (point: readonly number[]) => {
    for (let j = 0; j < candidates.count; j++) {
      nearest[j] = Math.min(nearest[j] as number, squaredDistance(candidates, j, point));
    }
  };
  for (const point of occupied) update(point);
  const chosen: number[] = [];
  while (chosen.length < wanted) {
    let best = -1;
    if (occupied.length === 0 && chosen.length === 0) {
      const centre = new Array<number>(candidates.dim).fill(0.5);
      let closest = Number.POSITIVE_INFINITY;
      for (let j = 0; j < candidates.count; j++) {
        const d = squaredDistance(candidates, j, centre);
        if (d < closest) [closest, best] = [d, j];
      }
    } else {
      let farthest = -1;
      for (let j = 0; j < candidates.count; j++) {
        if ((nearest[j] as number) > farthest) [farthest, best] = [nearest[j] as number, j];
      }
    }
    chosen.push(best);
    update(Array.from(candidates.data.subarray(best * candidates.dim, (best + 1) * candidates.dim)));
    nearest[best] = -1; // taken: never the farthest again
  }
  return chosen;
}

/** The acquisition's argmax, `wanted` times, believing each pick before the next. */
function modelPicks(
  space: SearchSpace,
  candidates: Points,
  history: readonly Observation[],
  succeeded: readonly Observation[],
  picks: readonly Config[],
  wanted: number,
  options: BoSettings,
): number[] {
  const x = toPoints(
    succeeded.map((o) => space.encode(o.config)),
    space.dimension,
  );
  const scores = standardise(succeeded.map((o) => o.score as number));
  const gp = new GaussianProcess(x, scores.values, fitOrDefault(x, scores.values, options));
  const incumbent = Math.max(...gp.trainingMean());
  const posterior = new CandidatePosterior(believingPending(space, gp, history, picks), candidates);
  const feasibility = feasibilityFactors(space, candidates, history, options.infeasibleRadius);

  const taken = new Uint8Array(candidates.count);
  const chosen: number[] = [];
  const value = new Float64Array(candidates.count);
  while (chosen.length < wanted) {
    if (options.acquisition === 'ei') {
      for (let j = 0; j < candidates.count; j++) {
        const sd = Math.sqrt(posterior.variance[j] as number);
        value[j] =
          logExpectedImprovement(posterior.mean[j] as number, sd, incumbent, options.xi) +
          Math.log(feasibility[j] as number);
      }
    } else {
      let lowest = Number.POSITIVE_INFINITY;
      for (let j = 0; j < candidates.count; j++) {
        const sd = Math.sqrt(posterior.variance[j] as number);
        value[j] = upperConfidenceBound(posterior.mean[j] as number, sd, options.ucbBeta);
        if (!taken[j]) lowest = Math.min(lowest, value[j] as number);
      }
      for (let j = 0; j < candidates.count; j++) {
        value[j] = lowest + ((value[j] as number) - lowest) * (feasibility[j] as number);
      }
    }
    let best = -1;
    for (let j = 0; j < candidates.count; j++) {
      if (taken[j]) continue;
      if (best < 0 || (value[j] as number) > (value[best] as number)) best = j;
    }
    taken[best] = 1;
    chosen.push(best);
    if (chosen.length < wanted) posterior.believe(best);
  }
  return chosen;
}

/** The MAP hyperparameters, or the prior medians if no start could evaluate the likelihood. */
function fitOrDefault(x: Points, y: Float64Array, options: BoSettings): Hyperparameters {
  try {
    return fitHyperparameters(x, y, { restarts: options.restarts, seed: options.seed }).hyperparameters;
  } catch {
    return {
      lengthScales: new Array<number>(x.dim).fill(DEFAULT_PRIORS.lengthScale.median),
      signalVariance: DEFAULT_PRIORS.signalVariance.median,
      noiseVariance: DEFAULT_PRIORS.noiseVariance.median,
    };
  }
}

/**
 * `gp` (trained on the succeeded trials) with the pending and running trials, and the picks made so far
 * in this call, added at its own mean (the kriging believer): the mean stays, the variance around them
 * shrinks, so a batch spreads out instead of piling onto one optimum.
 */
export function believingPending(
  space: SearchSpace,
  gp: GaussianProcess,
  history: readonly Observation[],
  picks: readonly Config[],
): GaussianProcess {
  const pending = [
    ...history.filter((o) => o.status === 'pending' || o.status === 'running').map((o) => o.config),
    ...picks,
  ];
  if (pending.length === 0) return gp;
  const px = toPoints(
    pending.map((c) => space.encode(c)),
    space.dimension,
  );
  const lies = gp.predict(px).mean;
  return new GaussianProcess(concatPoints(gp.x, px), [...gp.y, ...lies], gp.hyperparameters);
}

/**
 * Π over the history's failed and infeasible configurations of (1 − exp(−½ (d/ρ)²)): ~0 beside one, 1 far
 * from all.
 */
export function feasibilityFactors(
  space: SearchSpace,
  candidates: Points,
  history: readonly Observation[],
  radius: number,
): Float64Array {
  const factors = new Float64Array(candidates.count).fill(1);
  if (radius <= 0) return factors;
  for (const o of history) {
    if (o.status !== 'infeasible' && o.status !== 'failed') continue;
    const point = space.encode(o.config);
    for (let j = 0; j < candidates.count; j++) {
      const d2 = squaredDistance(candidates, j, point);
      factors[j] = (factors[j] as number) * (1 - Math.exp((-0.5 * d2) / (radius * radius)));
    }
  }
  return factors;
}
