import type { LoadLevel } from '../../src/loadgen/level.js';

/**
 * A SYNTHETIC load curve shaped like the peak search's (growth, then bisection between the last level
 * that met the SLO and the first that broke it), for rendering tests. Not a measurement.
 */
export function syntheticLoadCurve(peak: number): LoadLevel[] {
  const offered = [peak * 0.25, peak * 0.5, peak, peak * 2, peak * 1.5, peak * 1.25, peak * 1.125];
  return offered.map((rate, i) => {
    const overload = Math.max(0, rate / peak - 1);
    const p99 = 20 + 30 * (rate / peak) + 400 * overload;
    const met = p99 <= 100;
    return {
      offeredRps: rate,
      achievedRps: Math.min(rate, peak * (1 + overload * 0.1)),
      p50Ms: p99 / 3,
      p90Ms: p99 / 1.5,
      p95Ms: p99 / 1.2,
      p99Ms: p99,
      maxMs: p99 * 1.5,
      minMs: 2,
      sloPercentileMs: p99,
      errorRate: 0,
      requests: Math.round(rate * 4),
      successes: Math.round(rate * 4),
      errors: {} as LoadLevel['errors'],
      stable: true,
      failedFast: !met && i === 3,
      sloMet: met,
      windowsMeasured: 3,
      maxSendLagMs: 1,
      oldestPendingMs: 0,
    };
  });
}
