import { DEFAULT_PRIORS, fitHyperparameters } from './fit.js';
import { GaussianProcess, type Prediction } from './gaussian-process.js';
import type { Hyperparameters } from './hyperparameters.js';
import type { Points } from './points.js';
import { standardise } from './standardise.js';

/**
 * One level of a GP stack: a GP fitted to standardised residuals, `residual ≈ shift + scale · gp(x)`.
 * Its predictions are in the residuals' own units (the stack's output units).
 */
export class StackLevel {
  constructor(
    readonly gp: GaussianProcess,
    /** Mean of the residuals the level was fitted to. */
    readonly shift: number,
    /** Standard deviation of those residuals (the GP saw `(r − shift) / scale`). */
    readonly scale: number,
  ) {}

  /** Training points of the level. */
  get count(): number {
    return this.gp.x.count;
  }

  /** Mean and latent variance in output units. */
  predict(points: Points): Prediction {
    const { mean, variance } = this.gp.predict(points);
    for (let j = 0; j < points.count; j++) {
      mean[j] = this.shift + this.scale * (mean[j] as number);
      variance[j] = this.scale * this.scale * (variance[j] as number);
    }
    return { mean, variance };
  }

  /** Posterior mean at the training inputs, in output units. */
  trainingMean(): Float64Array {
    return this.gp.trainingMean().map((z) => this.shift + this.scale * z);
  }
}

export interface LevelFitOptions {
  /** Starts of the hyperparameter optimisation (see `fitHyperparameters`). */
  restarts?: number;
  seed?: number;
  /**
   * The scale to use when the residuals do not define one (fewer than two points, or all equal):
   * typically the scale of the level below, so a one-point level does not claim an sd of 1 output unit.
   */
  fallbackScale?: number;
}

/** The prior medians: what a level with fewer than two points (nothing to fit) uses. */
export function defaultHyperparameters(dim: number): Hyperparameters {
  return {
    lengthScales: new Array<number>(dim).fill(DEFAULT_PRIORS.lengthScale.median),
    signalVariance: DEFAULT_PRIORS.signalVariance.median,
    noiseVariance: DEFAULT_PRIORS.noiseVariance.median,
  };
}

/**
 * Fits one level to residuals: standardises them, fits the hyperparameters by MAP (prior medians with
 * fewer than two points, or when no start can evaluate the likelihood) and conditions the GP.
 */
export function fitLevel(x: Points, residuals: ArrayLike<number>, options: LevelFitOptions = {}): StackLevel {
  const standard = standardise(residuals);
  let spread = 0;
  for (const v of standard.values) spread = Math.max(spread, Math.abs(v));
  const degenerate = x.count < 2 || spread * standard.scale <= 1e-12 * Math.max(1, Math.abs(standard.mean));
  const scale = degenerate && options.fallbackScale !== undefined ? options.fallbackScale : standard.scale;
  const values =
    scale === standard.scale
      ? standard.values
      : Float64Array.from(residuals, (r) => (r - standard.mean) / scale);
  let hyperparameters = defaultHyperparameters(x.dim);
  if (x.count >= 2) {
    try {
      hyperparameters = fitHyperparameters(x, values, {
        restarts: options.restarts ?? 3,
        seed: options.seed ?? 1,
      }).hyperparameters;
    } catch {
      // keep the prior medians
    }
  }
  return new StackLevel(new GaussianProcess(x, values, hyperparameters), standard.mean, scale);
}

/** A stack's prediction: the summed mean and the combined standard deviation. */
export interface StackPrediction {
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/**
 * Vizier's combination of a level's standard deviation with that of the stack below it (Golovin et al.,
 * "Google Vizier", KDD 2017, section 3.3): the weighted geometric mean `σ_upper^β · σ_lower^(1−β)` with
 * `β = α·n_upper / (α·n_upper + n_lower)`, n the training points of each level. A level with few points
 * (β ≈ 0) inherits the confidence of the prior stack; one with many (β → 1) speaks for itself.
 */
export function combineSd(
  upperSd: number,
  upperCount: number,
  lowerSd: number,
  lowerCount: number,
  alpha = 1,
): number {
  const weight = alpha * upperCount;
  const beta = weight + lowerCount > 0 ? weight / (weight + lowerCount) : 1;
  return upperSd ** beta * lowerSd ** (1 - beta);
}

/** One study of a stack: inputs (unit cube) and outputs already on a common scale. */
export interface Study {
  readonly x: Points;
  readonly y: ArrayLike<number>;
}

/**
 * Google Vizier's transfer learning as a stack of Gaussian processes: studies are ordered, the first
 * level is fitted to the first study, each next level to the residuals of its study with respect to the
 * mean of the stack below it. The stack's mean is the sum of the levels' means; its standard deviation
 * combines the levels' bottom-up with `combineSd` (Vizier's weighted geometric mean).
 * Immutable: `withLevel` returns a new stack sharing the levels below.
 */
export class GpStack {
  constructor(
    readonly levels: readonly StackLevel[],
    /** α of `combineSd`. */
    readonly alpha = 1,
  ) {}

  /** Fits the levels one study at a time, each on the residuals of the stack so far. */
  static fit(studies: readonly Study[], options: LevelFitOptions & { alpha?: number } = {}): GpStack {
    let stack = new GpStack([], options.alpha ?? 1);
    studies.forEach((study, i) => {
      stack = stack.withLevel(study.x, study.y, { ...options, seed: (options.seed ?? 1) + i });
    });
    return stack;
  }

  /** `y − mean(x)`: what the next level is fitted to. */
  residuals(x: Points, y: ArrayLike<number>): Float64Array {
    const mean = this.predict(x).mean;
    return Float64Array.from(y, (v, i) => v - (mean[i] as number));
  }

  /** A new stack with one more level fitted to the residuals of (x, y). */
  withLevel(x: Points, y: ArrayLike<number>, options: LevelFitOptions = {}): GpStack {
    const top = this.levels.at(-1);
    const level = fitLevel(x, this.residuals(x, y), { fallbackScale: top?.scale, ...options });
    return new GpStack([...this.levels, level], this.alpha);
  }

  /** Training points of the top level (0 for an empty stack). */
  get topCount(): number {
    return this.levels.at(-1)?.count ?? 0;
  }

  /** Summed mean and Vizier-combined sd; an empty stack predicts mean 0, sd 1. */
  predict(points: Points): StackPrediction {
    const mean = new Float64Array(points.count);
    const sd = new Float64Array(points.count).fill(1);
    let below = 0;
    this.levels.forEach((level, i) => {
      const p = level.predict(points);
      for (let j = 0; j < points.count; j++) {
        mean[j] = (mean[j] as number) + (p.mean[j] as number);
        const levelSd = Math.sqrt(p.variance[j] as number);
        sd[j] = i === 0 ? levelSd : combineSd(levelSd, level.count, sd[j] as number, below, this.alpha);
      }
      below = level.count;
    });
    return { mean, sd };
  }
}
