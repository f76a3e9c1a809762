import { xoroshiro128plus } from 'pure-rand';
import { fromLogVector, type Hyperparameters, toLogVector } from './hyperparameters.js';
import { minimise } from './lbfgs.js';
import { logMarginalLikelihood } from './likelihood.js';
import type { Points } from './points.js';

/** Box constraints `[low, high]` on each kind of hyperparameter (natural units, standardised outputs). */
export interface HyperparameterBounds {
  readonly lengthScale: readonly [number, number];
  readonly signalVariance: readonly [number, number];
  readonly noiseVariance: readonly [number, number];
}

/** A log-normal prior: `log θ ~ N(log median, sdLog²)`. */
export interface LogNormalPrior {
  readonly median: number;
  readonly sdLog: number;
}

export interface HyperparameterPriors {
  readonly lengthScale: LogNormalPrior;
  readonly signalVariance: LogNormalPrior;
  readonly noiseVariance: LogNormalPrior;
}

/**
 * Inputs live in the unit cube, outputs are standardised: a length scale below 0.01 would mean the
 * function changes completely between values closer than any grid step, above 20 that a dimension is
 * irrelevant (anything longer is the same); the noise is at least 1e-6 (numerically noiseless) and at
 * most the whole variance of the data.
 */
export const DEFAULT_BOUNDS: HyperparameterBounds = {
  lengthScale: [0.01, 20],
  signalVariance: [0.01, 100],
  noiseVariance: [1e-6, 1],
};

/**
 * Weak priors that keep a fit on a handful of points from collapsing: length scales around half the
 * cube (a factor e either way is one sd), signal variance around 1 (the data are standardised), noise
 * around 1% of the variance but free over four orders of magnitude. With tens of points the likelihood
 * dominates them.
 */
export const DEFAULT_PRIORS: HyperparameterPriors = {
  lengthScale: { median: 0.5, sdLog: 1 },
  signalVariance: { median: 1, sdLog: 1 },
  noiseVariance: { median: 1e-2, sdLog: 2 },
};

export interface FitOptions {
  /** Number of L-BFGS runs: the first from the prior medians, the others from a seeded Latin hypercube. */
  restarts?: number;
  seed?: number;
  /** Iteration cap per run. Default 60. */
  maxIterations?: number;
  bounds?: HyperparameterBounds;
  /** `null` fits the plain maximum-likelihood estimate. */
  priors?: HyperparameterPriors | null;
}

export interface FitResult {
  readonly hyperparameters: Hyperparameters;
  readonly logMarginalLikelihood: number;
  /** The maximised objective: log marginal likelihood plus log prior (up to a constant). */
  readonly logPosterior: number;
}

/** Log density (up to a constant) of the priors and its gradient with respect to the log parameters. */
export function logPrior(
  h: Hyperparameters,
  priors: HyperparameterPriors,
): { value: number; gradient: Float64Array } {
  const v = toLogVector(h);
  const dim = h.lengthScales.length;
  const gradient = new Float64Array(v.length);
  let value = 0;
  v.forEach((logTheta, i) => {
    const prior = i < dim ? priors.lengthScale : i === dim ? priors.signalVariance : priors.noiseVariance;
    const z = (logTheta - Math.log(prior.median)) / prior.sdLog;
    value -= 0.5 * z * z;
    gradient[i] = -z / prior.sdLog;
  });
  return { value, gradient };
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

/**
 * Fits the hyperparameters by maximising the log marginal likelihood plus the log priors (a MAP
 * estimate) with L-BFGS on the analytic gradient, from several starts, keeping the best.
 *
 * Why L-BFGS: the gradient is analytic and cheap next to the O(n³) factorisation it shares, and the
 * problem has d + 2 smooth parameters, where a quasi-Newton method needs a few tens of evaluations
 * (Adam would need hundreds, Nelder–Mead scales badly past ~5 dimensions). The box bounds are enforced
 * by optimising unconstrained `u` with `log θ = lo + (hi − lo)·sigmoid(u)`, so every iterate is
 * inside the box and plain (unconstrained) L-BFGS applies; the priors keep the optimum off the walls.
 */
export function fitHyperparameters(x: Points, y: ArrayLike<number>, options: FitOptions = {}): FitResult {
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  const priors = options.priors === undefined ? DEFAULT_PRIORS : options.priors;
  const restarts = Math.max(1, options.restarts ?? 3);
  const dim = x.dim;
  const lows = new Float64Array(dim + 2);
  const highs = new Float64Array(dim + 2);
  for (let i = 0; i < dim + 2; i++) {
    const [lo, hi] = i < dim ? bounds.lengthScale : i === dim ? bounds.signalVariance : bounds.noiseVariance;
    lows[i] = Math.log(lo);
    highs[i] = Math.log(hi);
  }
  const toLog = (u: Float64Array) =>
    u.map((ui, i) => (lows[i] as number) + ((highs[i] as number) - (lows[i] as number)) * sigmoid(ui));
  const toU = (logTheta: ArrayLike<number>) =>
    Float64Array.from({ length: dim + 2 }, (_, i) => {
      const lo = lows[i] as number;
      const hi = highs[i] as number;
      const t = Math.min(1 - 1e-9, Math.max(1e-9, ((logTheta[i] as number) - lo) / (hi - lo)));
      return Math.log(t / (1 - t));
    });

  const evaluate = (logTheta: Float64Array) => {
    const h = fromLogVector(logTheta);
    const likelihood = logMarginalLikelihood(x, y, h);
    const prior = priors ? logPrior(h, priors) : undefined;
    const gradient = likelihood.gradient.map((g, i) => g + (prior ? (prior.gradient[i] as number) : 0));
    return { h, likelihood: likelihood.value, value: likelihood.value + (prior?.value ?? 0), gradient };
  };
  // Minimise −(log likelihood + log prior) over u; chain rule through the sigmoid.
  const objective = (u: Float64Array) => {
    const { value, gradient } = evaluate(toLog(u));
    return {
      value: -value,
      gradient: u.map((ui, i) => {
        const s = sigmoid(ui);
        return -(gradient[i] as number) * ((highs[i] as number) - (lows[i] as number)) * s * (1 - s);
      }),
    };
  };

  const medians = [
    ...Array.from({ length: dim }, () => Math.log((priors ?? DEFAULT_PRIORS).lengthScale.median)),
    Math.log((priors ?? DEFAULT_PRIORS).signalVariance.median),
    Math.log((priors ?? DEFAULT_PRIORS).noiseVariance.median),
  ];
  const starts = [medians, ...latinHypercube(restarts - 1, dim, options.seed ?? 1)];

  let best: { u: Float64Array; value: number } | undefined;
  for (const start of starts) {
    try {
      const result = minimise(objective, toU(start), {
        maxIterations: options.maxIterations ?? 60,
        gradientTolerance: 1e-4,
        valueTolerance: 1e-8,
      });
      if (!best || result.value < best.value) best = { u: result.x, value: result.value };
    } catch {
      // A start where the likelihood cannot be evaluated: try the next one.
    }
  }
  if (!best) throw new RangeError('the GP likelihood could not be evaluated at any starting point');
  const final = evaluate(toLog(best.u));
  return { hyperparameters: final.h, logMarginalLikelihood: final.likelihood, logPosterior: final.value };
}

/** Where the random starts are drawn from (natural units, log-uniformly). */
const START_RANGES = {
  lengthScale: [0.03, 3],
  signalVariance: [0.3, 3],
  noiseVariance: [1e-5, 1e-1],
} as const;

/**
 * `count` seeded starting points (log vectors) in a Latin hypercube over `START_RANGES`: along every
 * coordinate each start gets its own stratum, so that with only two or three restarts some start has
 * short length scales and some long ones — local optima of the likelihood (e.g. "everything is noise"
 * versus "a wiggly function") each get a chance.
 */
function latinHypercube(count: number, dim: number, seed: number): number[][] {
  const rng = xoroshiro128plus(seed);
  const uniform = () => (rng.unsafeNext() >>> 0) / 4294967296;
  const starts = Array.from({ length: count }, () => new Array<number>(dim + 2).fill(0));
  for (let i = 0; i < dim + 2; i++) {
    const [lo, hi] =
      i < dim
        ? START_RANGES.lengthScale
        : i === dim
          ? START_RANGES.signalVariance
          : START_RANGES.noiseVariance;
    const strata = Array.from({ length: count }, (_, k) => k);
    for (let k = count - 1; k > 0; k--) {
      const j = Math.floor(uniform() * (k + 1));
      [strata[k], strata[j]] = [strata[j] as number, strata[k] as number];
    }
    strata.forEach((stratum, r) => {
      const t = (stratum + uniform()) / count;
      (starts[r] as number[])[i] = Math.log(lo) + (Math.log(hi) - Math.log(lo)) * t;
    });
  }
  return starts;
}
