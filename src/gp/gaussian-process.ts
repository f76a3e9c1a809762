import type { Hyperparameters } from './hyperparameters.js';
import { crossKernel, kernelMatrix } from './kernel.js';
import { type CholeskyFactor, cholesky, choleskySolve, solveLowerInPlace } from './linear-algebra.js';
import type { Points } from './points.js';

/** Posterior of the latent function at many points. */
export interface Prediction {
  readonly mean: Float64Array;
  /** Variance of the latent function (the noise is not included), clamped at 0. */
  readonly variance: Float64Array;
}

/** A prediction together with `V = L⁻¹ K(X, C)` (n × m, row-major), what conditioning on more points needs. */
export interface FactoredPrediction extends Prediction {
  readonly v: Float64Array;
}

/**
 * Gaussian-process regression with a zero prior mean, the Matérn 5/2 ARD kernel and Gaussian noise:
 *
 *   K_y = K(X, X) + σ_n² I = L Lᵀ,   α = K_y⁻¹ y,
 *   mean(c) = k(X, c)ᵀ α,   variance(c) = s² − ‖L⁻¹ k(X, c)‖².
 *
 * The outputs are expected already standardised (see `standardise`), which is what makes a zero prior
 * mean and a signal variance near 1 sensible. The factorisation costs O(n³) once; predicting m
 * candidates costs O(n·m·d) for the kernel plus O(n²·m) for the triangular solve, all candidates at once.
 */
export class GaussianProcess {
  readonly x: Points;
  readonly y: Float64Array;
  readonly hyperparameters: Hyperparameters;
  readonly factor: CholeskyFactor;
  readonly alpha: Float64Array;
  /** Noise actually on the diagonal: σ_n² plus any jitter the factorisation needed. */
  readonly effectiveNoise: number;

  constructor(x: Points, y: ArrayLike<number>, hyperparameters: Hyperparameters) {
    if (y.length !== x.count) throw new RangeError(`${x.count} points but ${y.length} outputs`);
    this.x = x;
    this.y = Float64Array.from(y);
    this.hyperparameters = hyperparameters;
    const n = x.count;
    const k = kernelMatrix(x, hyperparameters);
    for (let i = 0; i < n; i++) k[i * n + i] = (k[i * n + i] as number) + hyperparameters.noiseVariance;
    this.factor = cholesky(k, n);
    this.effectiveNoise = hyperparameters.noiseVariance + this.factor.jitter;
    this.alpha = choleskySolve(this.factor, this.y);
  }

  /** Posterior mean and latent variance at every candidate. */
  predict(candidates: Points): Prediction {
    const { mean, variance } = this.predictFactored(candidates);
    return { mean, variance };
  }

  /** As `predict`, also returning `L⁻¹ K(X, C)` so the caller can condition on further points cheaply. */
  predictFactored(candidates: Points): FactoredPrediction {
    const n = this.x.count;
    const m = candidates.count;
    const v = crossKernel(this.x, candidates, this.hyperparameters); // n × m
    const mean = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const a = this.alpha[i] as number;
      const row = i * m;
      for (let j = 0; j < m; j++) mean[j] = (mean[j] as number) + a * (v[row + j] as number);
    }
    solveLowerInPlace(this.factor, v, m);
    const variance = new Float64Array(m).fill(this.hyperparameters.signalVariance);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      for (let j = 0; j < m; j++) {
        const t = v[row + j] as number;
        variance[j] = (variance[j] as number) - t * t;
      }
    }
    for (let j = 0; j < m; j++) if ((variance[j] as number) < 0) variance[j] = 0;
    return { mean, variance, v };
  }

  /** Posterior mean at the training inputs: `K_f α = y − σ_n² α` (no kernel evaluation needed). */
  trainingMean(): Float64Array {
    return this.y.map((y, i) => y - this.effectiveNoise * (this.alpha[i] as number));
  }
}
