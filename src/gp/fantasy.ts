import type { GaussianProcess } from './gaussian-process.js';
import { inverseLengthScales, matern52, scaledDistance } from './kernel.js';
import type { Points } from './points.js';

/**
 * The posterior over a fixed set of candidates that can be conditioned, one candidate at a time, on a
 * "kriging believer" fantasy: the pretence that the candidate was measured and returned exactly its
 * posterior mean. That leaves the mean unchanged everywhere and shrinks the variance near the
 * candidate, which is what makes the next pick of a batch go elsewhere.
 *
 * Conditioning is a rank-one extension of the Cholesky factor: with v(c) = L⁻¹ k(X, c) kept for every
 * candidate, the posterior covariance with the new point j is c(x) = k(x, j) − v(x)·v(j), the new row
 * of V is c(x)/√(σ²(j) + σ_n²) and the variance drops by its square: O(m·(n + d)) per fantasy
 * instead of a refactorisation and a full prediction.
 */
export class CandidatePosterior {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  private readonly rows: Float64Array[];
  private readonly inverse: Float64Array;

  constructor(
    private readonly gp: GaussianProcess,
    private readonly candidates: Points,
  ) {
    const { mean, variance, v } = gp.predictFactored(candidates);
    this.mean = mean;
    this.variance = variance;
    const m = candidates.count;
    this.rows = Array.from({ length: gp.x.count }, (_, i) => v.subarray(i * m, (i + 1) * m));
    this.inverse = inverseLengthScales(gp.hyperparameters, candidates.dim);
  }

  /** Conditions on candidate `j` having been observed at its current posterior mean. */
  believe(j: number): void {
    const m = this.candidates.count;
    const s2 = this.gp.hyperparameters.signalVariance;
    const covariance = new Float64Array(m);
    for (let x = 0; x < m; x++) {
      covariance[x] = s2 * matern52(scaledDistance(this.candidates, x, this.candidates, j, this.inverse));
    }
    for (const row of this.rows) {
      const vj = row[j] as number;
      if (vj === 0) continue;
      for (let x = 0; x < m; x++) covariance[x] = (covariance[x] as number) - (row[x] as number) * vj;
    }
    const scale = 1 / Math.sqrt((this.variance[j] as number) + this.gp.effectiveNoise);
    for (let x = 0; x < m; x++) {
      const r = (covariance[x] as number) * scale;
      covariance[x] = r;
      this.variance[x] = Math.max((this.variance[x] as number) - r * r, 0);
    }
    this.rows.push(covariance);
  }
}
