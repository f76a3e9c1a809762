/**
 * Per-task normalisation of objective scores (larger is better), shared by the offline training tasks
 * and the online observations so the network always sees the same scale:
 *
 * - all scores ≥ 0 (throughput, RPS per cost): `y = s / max(s)` — the task's best is 1, a zero stays 0.
 *   Ratios to the optimum are what the paper reports, they are unit-free (a 50-RPS and a 5000-RPS model
 *   have the same surface shape), and unlike a z-score they keep the meaning of 0 and do not depend on
 *   how the rest of the points happen to spread.
 * - all scores < 0 (a positive metric being minimised, e.g. latency: score = −value):
 *   `y = max(s) / s = min(value) / value` — again the best is 1 and everything is in (0, 1].
 * - mixed signs: min–max scaling `(s − min) / (max − min)` (best 1, worst 0); all equal: all 1.
 *
 * Online the true best of the service is unknown: the reference is the best score *observed so far*.
 * The targets are then ≥ the task-normalised ones by the factor (true best / observed best) ≥ 1 and
 * drift down as better configurations are found; fine-tuning follows (the surface's shape, which is
 * what the meta-model learned, does not change), and predictions above 1 mark candidates expected to
 * beat the incumbent — exactly the ones the acquisition should pick.
 */
export interface Normalised {
  values: number[];
  mode: 'ratio' | 'inverse-ratio' | 'range';
  /** The score that maps to 1 (the best). */
  best: number;
}

export function normaliseScores(scores: readonly number[]): Normalised {
  if (scores.length === 0) return { values: [], mode: 'ratio', best: Number.NaN };
  const best = Math.max(...scores);
  const worst = Math.min(...scores);
  if (worst >= 0 && best > 0) return { values: scores.map((s) => s / best), mode: 'ratio', best };
  if (best < 0) return { values: scores.map((s) => best / s), mode: 'inverse-ratio', best };
  const range = best - worst;
  return {
    values: scores.map((s) => (range > 0 ? (s - worst) / range : 1)),
    mode: 'range',
    best,
  };
}
