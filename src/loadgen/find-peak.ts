import { measureClosedLoop } from './closed-loop.js';
import { HttpTarget } from './http-target.js';
import { type LoadLevel, measureLevel } from './level.js';
import type { Measurement } from './measurement.js';
import { OpenLoopGenerator } from './open-loop.js';
import {
  type PeakSearchOptions,
  type PeakSearchOptionsInput,
  parseOptions,
  peakSearchOptionsSchema,
} from './options.js';
import { searchPeak } from './peak-search.js';
import { probeTarget } from './probe.js';
import { prepareRequest } from './request-body.js';

export interface FindPeakOptions extends PeakSearchOptionsInput {
  /** Stops the search promptly: in-flight requests are cancelled and `findPeak` rejects with the reason. */
  signal?: AbortSignal;
  /** Called after each level, e.g. to show progress. */
  onLevel?: (level: LoadLevel) => void;
}

export interface PeakResult {
  /** At the peak level: its achieved throughput, latencies and error rate. */
  measurement: Measurement;
  peak: LoadLevel;
  /** Every level measured, by offered rate. */
  curve: LoadLevel[];
  levelsMeasured: number;
  /** Fastest of the unloaded probe requests sent before the search. */
  unloadedLatencyMs: number;
  /** `precision` when the search converged; otherwise the limit it ran into. */
  stoppedBy: 'precision' | 'max-rate' | 'level-budget';
  durationMs: number;
}

/**
 * Finds the highest throughput a live HTTP target sustains within the SLO: a few unloaded probes, then
 * an open-loop peak search (see `searchPeak`), each level measured by `measureLevel`.
 * Options are validated with `peakSearchOptionsSchema` (a `SpecError` names each bad field).
 */
export async function findPeak(options: FindPeakOptions): Promise<PeakResult> {
  const { signal, onLevel, ...input } = options;
  const settings = parseOptions(peakSearchOptionsSchema, input, 'load');
  signal?.throwIfAborted();
  const startedAt = performance.now();
  const request = await prepareRequest(settings.request, settings.seed);
  const target = new HttpTarget(settings.baseUrl, request, settings);
  const cancelInFlight = () => target.cancelAll();
  signal?.addEventListener('abort', cancelInFlight, { once: true });
  try {
    const unloadedLatencyMs = await probeTarget(target, settings.slo, settings.requestTimeoutMs, signal);
    const generator = new OpenLoopGenerator(target, settings);
    const measure = async (rate: number) => {
      const level = await measureLevel(generator, rate, settings, settings.slo, signal);
      onLevel?.(level);
      return level;
    };
    const initialRate =
      settings.initialRate ?? Math.max(settings.minRate, (await capacityEstimate(settings, signal)) * 0.8);
    const { levels, peak, stoppedBy } = await searchPeak(
      measure,
      { ...settings, initialRate },
      settings.slo,
      signal,
    );
    return {
      measurement: measurementAt(peak, request.itemsPerRequest),
      peak,
      curve: [...levels].sort((a, b) => a.offeredRps - b.offeredRps),
      levelsMeasured: levels.length,
      unloadedLatencyMs,
      stoppedBy,
      durationMs: performance.now() - startedAt,
    };
  } finally {
    signal?.removeEventListener('abort', cancelInFlight);
    await target.close();
  }
}

/** Enough to keep two instances busy with full batches of 16: fewer understate those servers. */
const CAPACITY_CONNECTIONS = 32;

/**
 * A short closed loop (requests back to back on a few connections) measures what the server can do at
 * all; the open-loop search then starts just under it instead of ramping up from far below. It waits for
 * every connection's first answer before it counts (a batch shape the server has not run yet, or a
 * second model instance, makes those slow), and for enough answers to count: a slow server measured in
 * a few hundred milliseconds looked several times slower than it was, and the search then spent most of
 * its time on levels with long windows far below the peak.
 */
async function capacityEstimate(
  settings: PeakSearchOptions,
  signal: AbortSignal | undefined,
): Promise<number> {
  const result = await measureClosedLoop({
    baseUrl: settings.baseUrl,
    request: settings.request,
    concurrency: CAPACITY_CONNECTIONS,
    durationMs: 400,
    warmupMs: 100,
    warmupRequests: CAPACITY_CONNECTIONS,
    maxWarmupMs: 1500,
    minRequests: 20,
    maxDurationMs: 1500,
    requestTimeoutMs: settings.requestTimeoutMs,
    seed: settings.seed,
    signal,
  });
  return Math.min(settings.maxRate, Math.max(settings.minRate, Number(result.rps.toPrecision(2))));
}

export function measurementAt(level: LoadLevel, itemsPerRequest: number): Measurement {
  return {
    rps: level.achievedRps,
    samplesPerSec: level.achievedRps * itemsPerRequest,
    p50Ms: level.p50Ms,
    p90Ms: level.p90Ms,
    p95Ms: level.p95Ms,
    p99Ms: level.p99Ms,
    maxMs: level.maxMs,
    errorRate: level.errorRate,
  };
}
