import type { Random } from './random.js';

/** Milliseconds from one intended send time to the next. */
export type NextGap = () => number;

/**
 * Gaps between arrivals at `rate` requests/s: exactly 1/rate apart, or exponentially distributed with
 * that mean (a Poisson process, which is how independent clients really arrive and which exposes
 * queueing that evenly spaced requests hide).
 */
export function arrivalGaps(kind: 'constant' | 'poisson', rate: number, random: Random): NextGap {
  const meanGapMs = 1000 / rate;
  if (kind === 'constant') return () => meanGapMs;
  // 1 - random() is in (0, 1], so the logarithm stays finite.
  return () => -Math.log(1 - random()) * meanGapMs;
}
