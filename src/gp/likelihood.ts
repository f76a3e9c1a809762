import type { Hyperparameters } from './hyperparameters.js';
import { inverseLengthScales, kernelMatrix, matern52Slope } from './kernel.js';
import { cholesky, choleskySolve, inverseFromCholesky, logDeterminant } from './linear-algebra.js';
import type { Points } from './points.js';

export interface LikelihoodValue {
  /** `log p(y | X, θ)`. */
  readonly value: number;
  /** Gradient with respect to `[log ℓ_1, …, log ℓ_d, log s², log σ_n²]` (see `toLogVector`). */
  readonly gradient: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The log marginal likelihood of a zero-mean GP and its analytic gradient:
 *
 *   log p(y) = −½ yᵀ K_y⁻¹ y − ½ log det K_y − (n/2) log 2π,
 *   ∂/∂θ_j   = ½ tr((α αᵀ − K_y⁻¹) ∂K_y/∂θ_j),        α = K_y⁻¹ y,
 *
 * with ∂K/∂log s² = K_f, ∂K/∂log σ_n² = σ_n² I and, for the Matérn 5/2 ARD kernel,
 * ∂k(x, x')/∂log ℓ_d = s² · (5/3)(1 + √5 r) e^{−√5 r} · (x_d − x'_d)² / ℓ_d².
 * Cost: O(n³) for the factorisation and inverse plus O(n²·d) for the gradient.
 */
export function logMarginalLikelihood(x: Points, y: ArrayLike<number>, h: Hyperparameters): LikelihoodValue {
  const n = x.count;
  const dim = x.dim;
  const kf = kernelMatrix(x, h);
  const ky = Float64Array.from(kf);
  for (let i = 0; i < n; i++) ky[i * n + i] = (ky[i * n + i] as number) + h.noiseVariance;
  const factor = cholesky(ky, n);
  const alpha = choleskySolve(factor, y);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += (y[i] as number) * (alpha[i] as number);
  const value = -0.5 * fit - 0.5 * logDeterminant(factor) - 0.5 * n * LOG_2PI;

  // W = α αᵀ − K_y⁻¹ (symmetric); each gradient component is ½ Σ_ij W_ij ∂K_ij.
  const w = inverseFromCholesky(factor);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      w[i * n + j] = (alpha[i] as number) * (alpha[j] as number) - (w[i * n + j] as number);
  }
  const gradient = new Float64Array(dim + 2);
  const inverse = inverseLengthScales(h, dim);
  const s2 = h.signalVariance;
  let signal = 0;
  let trace = 0;
  const diff = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const wii = w[i * n + i] as number;
    trace += wii;
    signal += 0.5 * wii * s2;
    for (let j = 0; j < i; j++) {
      // Off-diagonal pairs appear twice in the trace: ½ · 2 = 1.
      const wij = w[i * n + j] as number;
      signal += wij * (kf[i * n + j] as number);
      let r2 = 0;
      for (let d = 0; d < dim; d++) {
        const t =
          ((x.data[i * dim + d] as number) - (x.data[j * dim + d] as number)) * (inverse[d] as number);
        diff[d] = t * t;
        r2 += t * t;
      }
      const common = wij * s2 * matern52Slope(Math.sqrt(r2));
      for (let d = 0; d < dim; d++) gradient[d] = (gradient[d] as number) + common * (diff[d] as number);
    }
  }
  gradient[dim] = signal;
  gradient[dim + 1] = 0.5 * h.noiseVariance * trace;
  return { value, gradient };
}
