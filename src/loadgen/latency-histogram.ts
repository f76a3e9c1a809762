import * as hdr from 'hdr-histogram-js';

/** Latencies above this (one hour) are clamped; nothing that slow is a meaningful sample. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/**
 * Request latencies in an HDR histogram at microsecond resolution with 3 significant digits: constant
 * memory however many requests a level sends, and percentiles within 0.1% of the exact value.
 * Uses the pure-JavaScript implementation (no WebAssembly to initialize).
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  /** Records `count` requests that each took `latencyMs`. */
  record(latencyMs: number, count = 1): void {
    const micros = Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(latencyMs * 1000)));
    this.histogram.recordValueWithCount(micros, count);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Latency (ms) at or below which `percentile` percent of the samples fall; 0 when empty. */
  percentileMs(percentile: number): number {
    if (this.count === 0) return 0;
    return this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  get minMs(): number {
    return this.count === 0 ? 0 : this.histogram.minNonZeroValue / 1000;
  }

  get maxMs(): number {
    return this.count === 0 ? 0 : this.histogram.maxValue / 1000;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.histogram.mean / 1000;
  }

  /** Adds every sample of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  static merge(histograms: readonly LatencyHistogram[]): LatencyHistogram {
    const merged = new LatencyHistogram();
    for (const histogram of histograms) merged.add(histogram);
    return merged;
  }
}
