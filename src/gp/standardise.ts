/**
 * Output standardisation. The GP is fitted to `(score − mean) / sd` of the observed scores, so that
 * whatever the objective's units (requests per second, dollars per million requests, …) the model sees
 * zero-mean, unit-variance data: the zero prior mean is the average observation, a signal variance
 * near 1 is a sensible prior, and the noise, EI's `xi` and UCB's beta are all in "standard deviations
 * of the observed scores". With fewer than two distinct scores the sd is taken as 1 (only the shift).
 */
export interface Standardisation {
  readonly mean: number;
  readonly scale: number;
  /** The standardised values, same order as the input. */
  readonly values: Float64Array;
  /** Back to the original units: `mean + scale · z`. */
  toOriginal(z: number): number;
  /** Into standardised units. */
  toStandard(value: number): number;
}

export function standardise(values: ArrayLike<number>): Standardisation {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] as number;
  mean = n > 0 ? mean / n : 0;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((values[i] as number) - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
  return {
    mean,
    scale,
    values: Float64Array.from({ length: n }, (_, i) => ((values[i] as number) - mean) / scale),
    toOriginal: (z) => mean + scale * z,
    toStandard: (value) => (value - mean) / scale,
  };
}
