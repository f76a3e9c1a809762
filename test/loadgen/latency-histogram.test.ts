import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/loadgen/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('reports percentiles of known samples within 0.1%', () => {
    const histogram = new LatencyHistogram();
    // 1, 2, ..., 1000 ms: the p-th percentile is p * 10 ms.
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    for (const [percentile, expected] of [
      [50, 500],
      [90, 900],
      [95, 950],
      [99, 990],
      [100, 1000],
    ] as const) {
      expect(histogram.percentileMs(percentile)).toBeGreaterThanOrEqual(expected);
      expect(histogram.percentileMs(percentile)).toBeLessThanOrEqual(expected * 1.001);
    }
    expect(histogram.minMs).toBe(1);
    expect(histogram.maxMs).toBeCloseTo(1000, 0);
    expect(histogram.meanMs).toBeCloseTo(500.5, 0);
  });

  it('resolves microseconds', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0.25);
    histogram.record(0.75);
    expect(histogram.percentileMs(50)).toBe(0.25);
    expect(histogram.maxMs).toBe(0.75);
  });

  it('weights a value recorded with a count', () => {
    const histogram = new LatencyHistogram();
    histogram.record(10, 98);
    histogram.record(500, 2);
    expect(histogram.count).toBe(100);
    expect(histogram.percentileMs(98)).toBeCloseTo(10, 1);
    expect(histogram.percentileMs(99)).toBeCloseTo(500, 0);
  });

  it('merges histograms as if every sample had been recorded in one', () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    for (let i = 0; i < 90; i++) fast.record(5);
    for (let i = 0; i < 10; i++) slow.record(200);
    const merged = LatencyHistogram.merge([fast, slow]);
    expect(merged.count).toBe(100);
    expect(merged.percentileMs(50)).toBeCloseTo(5, 1);
    expect(merged.percentileMs(95)).toBeCloseTo(200, 0);
    expect(fast.count).toBe(90);
  });

  it('reports zeros when empty', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentileMs(99)).toBe(0);
    expect(histogram.maxMs).toBe(0);
    expect(histogram.minMs).toBe(0);
  });
});
