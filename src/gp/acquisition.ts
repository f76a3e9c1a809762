/**
 * Acquisition functions for maximisation, on the GP's standardised scale. `mean` and `sd` are the
 * posterior mean and standard deviation of the latent function at a candidate, `best` the incumbent.
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** The standard normal density. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** The complementary error function (Chebyshev fit, relative error below 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal distribution function Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Expected improvement over `best` by at least `xi`:
 *   EI = (μ − best − ξ) Φ(z) + σ φ(z),   z = (μ − best − ξ) / σ,
 * and max(μ − best − ξ, 0) when σ = 0. A small ξ (0.01 sd by default in `bo`) tilts it towards
 * exploration without ignoring the mean.
 */
export function expectedImprovement(mean: number, sd: number, best: number, xi = 0.01): number {
  const gain = mean - best - xi;
  if (!(sd > 0)) return Math.max(gain, 0);
  const z = gain / sd;
  return Math.max(gain * normalCdf(z) + sd * normalPdf(z), 0);
}

/**
 * `log EI`, accurate where EI itself underflows to 0 (z below about −38) so that far-from-promising
 * candidates are still ranked, not tied. For z ≤ −10 it uses the asymptotic series
 * φ(z) + zΦ(z) = φ(z) (1/z² − 3/z⁴ + 15/z⁶ − 105/z⁸ + …). −Infinity when σ = 0 and there is no gain.
 */
export function logExpectedImprovement(mean: number, sd: number, best: number, xi = 0.01): number {
  const gain = mean - best - xi;
  if (!(sd > 0)) return gain > 0 ? Math.log(gain) : Number.NEGATIVE_INFINITY;
  const z = gain / sd;
  if (z > -10) return Math.log(Math.max(gain * normalCdf(z) + sd * normalPdf(z), Number.MIN_VALUE));
  const w = 1 / (z * z);
  const series = w * (1 - w * (3 - w * (15 - 105 * w)));
  return Math.log(sd) - 0.5 * z * z - LOG_SQRT_2PI + Math.log(series);
}

/** Upper confidence bound μ + √β σ: larger β explores more. */
export function upperConfidenceBound(mean: number, sd: number, beta: number): number {
  return mean + Math.sqrt(beta) * sd;
}
