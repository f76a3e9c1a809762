import type { KernelParameters } from './kernel.js';

/** Everything that defines a GP model besides the data: the kernel's parameters and the noise. */
export interface Hyperparameters extends KernelParameters {
  /** Variance of the observation noise, in the same (standardised) units as the signal variance. */
  readonly noiseVariance: number;
}

/**
 * The hyperparameters as the vector the likelihood is differentiated and optimised in:
 * `[log ℓ_1, …, log ℓ_d, log s², log σ_n²]`. Working in logs keeps every parameter positive and makes
 * a step mean the same thing for a length scale of 0.05 and of 5.
 */
export function toLogVector(h: Hyperparameters): Float64Array {
  return Float64Array.from([
    ...h.lengthScales.map(Math.log),
    Math.log(h.signalVariance),
    Math.log(h.noiseVariance),
  ]);
}

/** The inverse of `toLogVector`. */
export function fromLogVector(v: ArrayLike<number>): Hyperparameters {
  const dim = v.length - 2;
  if (dim < 0) throw new RangeError('a hyperparameter vector has at least two components');
  return {
    lengthScales: Array.from({ length: dim }, (_, d) => Math.exp(v[d] as number)),
    signalVariance: Math.exp(v[dim] as number),
    noiseVariance: Math.exp(v[dim + 1] as number),
  };
}
