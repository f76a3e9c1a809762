import type { Points } from './points.js';

/**
 * The Matérn 5/2 kernel with automatic relevance determination (ARD): one length scale per input
 * dimension and a signal variance,
 *
 *   k(x, x') = s² (1 + √5 r + 5r²/3) exp(-√5 r),   r² = Σ_d (x_d - x'_d)² / ℓ_d².
 *
 * Twice differentiable (smooth enough for a throughput surface, less over-confident than the squared
 * exponential). A long length scale `ℓ_d` means the function barely changes along dimension `d`.
 */
export interface KernelParameters {
  /** One length scale per input dimension (unit-cube units), all > 0. */
  readonly lengthScales: readonly number[];
  /** The prior variance `s²` of the function at any point (> 0). */
  readonly signalVariance: number;
}

const SQRT5 = Math.sqrt(5);

/** The Matérn 5/2 correlation at scaled distance `r` (1 at r = 0). */
export function matern52(r: number): number {
  const s = SQRT5 * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/**
 * `-(1/r) d matern52(r)/dr = (5/3)(1 + √5 r) exp(-√5 r)`: with it the derivative of the kernel with
 * respect to a log length scale is `s² · matern52Slope(r) · (x_d - x'_d)² / ℓ_d²` (no division by r).
 */
export function matern52Slope(r: number): number {
  const s = SQRT5 * r;
  return (5 / 3) * (1 + s) * Math.exp(-s);
}

/** `1/ℓ_d` for each dimension, checked against the dimension of the points. */
export function inverseLengthScales(params: KernelParameters, dim: number): Float64Array {
  if (params.lengthScales.length !== dim) {
    throw new RangeError(
      `the kernel has ${params.lengthScales.length} length scales, the points ${dim} components`,
    );
  }
  return Float64Array.from(params.lengthScales, (l) => 1 / l);
}

/** The scaled distance `r` between point `i` of `a` and point `j` of `b`. */
export function scaledDistance(a: Points, i: number, b: Points, j: number, inverse: Float64Array): number {
  const dim = a.dim;
  const ao = i * dim;
  const bo = j * dim;
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    const t = ((a.data[ao + d] as number) - (b.data[bo + d] as number)) * (inverse[d] as number);
    sum += t * t;
  }
  return Math.sqrt(sum);
}

/** The kernel value between two single points. */
export function kernelValue(x: readonly number[], y: readonly number[], params: KernelParameters): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) {
    const t = ((x[d] as number) - (y[d] as number)) / (params.lengthScales[d] as number);
    sum += t * t;
  }
  return params.signalVariance * matern52(Math.sqrt(sum));
}

/** The symmetric `n × n` kernel matrix of the points (row-major, no noise on the diagonal). */
export function kernelMatrix(x: Points, params: KernelParameters): Float64Array {
  const n = x.count;
  const inverse = inverseLengthScales(params, x.dim);
  const k = new Float64Array(n * n);
  const s2 = params.signalVariance;
  for (let i = 0; i < n; i++) {
    k[i * n + i] = s2;
    for (let j = 0; j < i; j++) {
      const value = s2 * matern52(scaledDistance(x, i, x, j, inverse));
      k[i * n + j] = value;
      k[j * n + i] = value;
    }
  }
  return k;
}

/** The `a.count × b.count` cross-kernel matrix (row-major: row i is point i of `a`). */
export function crossKernel(a: Points, b: Points, params: KernelParameters): Float64Array {
  if (a.dim !== b.dim) throw new RangeError(`cannot compare points of dimension ${a.dim} and ${b.dim}`);
  const inverse = inverseLengthScales(params, a.dim);
  const k = new Float64Array(a.count * b.count);
  const s2 = params.signalVariance;
  for (let i = 0; i < a.count; i++) {
    const row = i * b.count;
    for (let j = 0; j < b.count; j++) k[row + j] = s2 * matern52(scaledDistance(a, i, b, j, inverse));
  }
  return k;
}
