import type { LevelSettings, Slo } from './options.js';
import { windowsAgree } from './stability.js';
import {
  ERROR_KINDS,
  type ErrorKind,
  errorRate,
  mergeWindows,
  requestCount,
  throughput,
  type WindowStats,
} from './window.js';

/**
 * Something that offers load at a rate and reports what happened, window by window: the open-loop HTTP
 * generator, or a simulated service in tests.
 */
export interface LevelDriver {
  /** Starts offering `rate` requests/s. */
  start(rate: number): void;
  /** Lets `durationMs` pass and returns what happened meanwhile. Rejects with the signal's reason on abort. */
  window(durationMs: number, signal?: AbortSignal): Promise<WindowStats>;
  /** Stops offering load; `drain` lets in-flight requests finish first, `cancel` abandons them. */
  stop(mode: 'drain' | 'cancel'): Promise<void>;
}

/** One measured point of the load curve. */
export interface LoadLevel {
  offeredRps: number;
  /** Measured but not used: the client fell behind its schedule, so the level was measured again. */
  discarded?: boolean;
  /** Successful responses per second. */
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
  /** Latency at the SLO's percentile (0 when nothing succeeded). */
  sloPercentileMs: number;
  errorRate: number;
  /** Requests that finished (or were dropped) in the windows the level is reported from. */
  requests: number;
  successes: number;
  errors: Record<ErrorKind, number>;
  /** An example failure message, when there were failures. */
  errorSample?: string;
  /** The reported windows agreed within the stability tolerance. */
  stable: boolean;
  /** Abandoned early because consecutive windows broke the SLO (such a level never stabilizes). */
  failedFast: boolean;
  sloMet: boolean;
  /** Windows measured after the warm-up, including ones the report does not use. */
  windowsMeasured: number;
  /** How late the client sent its most delayed request; large values mean the client was the bottleneck. */
  maxSendLagMs: number;
  /** Age of the oldest request still unanswered at the end of the level. */
  oldestPendingMs: number;
  /** Wall time of the level: warm-up, windows and drain; absent from curves recorded by earlier versions. */
  durationMs?: number;
  /** Of that, waiting for the requests still in flight when the level ended. */
  drainMs?: number;
}

/** Windows are stretched at low rates so that each one expects at least this many requests (fewer make a
 * window's percentiles and throughput too noisy to judge stability on). */
const MIN_REQUESTS_PER_WINDOW = 10;
/** ...but never longer than this, so a very slow server still gets a verdict in seconds. */
const MAX_STRETCHED_WINDOW_MS = 1000;

/**
 * Measures one offered rate: a warm-up that is thrown away (queues and connections settle), then
 * windows until the last `windowsRequired` agree, the SLO is broken `failFastWindows` times in a row,
 * or `maxWindows` is reached (reported from the last `windowsRequired`, marked unstable).
 */
export async function measureLevel(
  driver: LevelDriver,
  rate: number,
  settings: LevelSettings,
  slo: Slo,
  signal?: AbortSignal,
): Promise<LoadLevel> {
  // At low rates a short window may hold no request at all, and would say nothing.
  const windowMs = Math.max(
    settings.windowMs,
    Math.min(MAX_STRETCHED_WINDOW_MS, (MIN_REQUESTS_PER_WINDOW * 1000) / rate),
  );
  const startedAt = performance.now();
  const stop = () => driver.stop(signal?.aborted ? 'cancel' : 'drain');
  driver.start(rate);
  let level: LoadLevel;
  try {
    level = await measureWindows(driver, rate, windowMs, settings, slo, signal);
  } catch (error) {
    await stop();
    throw error;
  }
  const stoppingAt = performance.now();
  await stop();
  const endedAt = performance.now();
  return { ...level, durationMs: endedAt - startedAt, drainMs: endedAt - stoppingAt };
}

async function measureWindows(
  driver: LevelDriver,
  rate: number,
  windowMs: number,
  settings: LevelSettings,
  slo: Slo,
  signal: AbortSignal | undefined,
): Promise<LoadLevel> {
  if (settings.warmupMs > 0) await driver.window(settings.warmupMs, signal);
  const windows: WindowStats[] = [];
  let brokenInARow = 0;
  while (windows.length < settings.maxWindows) {
    const window = await driver.window(windowMs, signal);
    windows.push(window);
    brokenInARow = windowBreaksSlo(window, slo) ? brokenInARow + 1 : 0;
    if (brokenInARow >= settings.failFastWindows) {
      return summarizeLevel(rate, windows.slice(-settings.failFastWindows), slo, {
        stable: false,
        failedFast: true,
        windowsMeasured: windows.length,
      });
    }
    const recent = windows.slice(-settings.windowsRequired);
    if (
      recent.length === settings.windowsRequired &&
      windowsAgree(recent, settings.stabilityTolerance, slo)
    ) {
      return summarizeLevel(rate, recent, slo, {
        stable: true,
        failedFast: false,
        windowsMeasured: windows.length,
      });
    }
  }
  return summarizeLevel(rate, windows.slice(-settings.windowsRequired), slo, {
    stable: false,
    failedFast: false,
    windowsMeasured: windows.length,
  });
}

/** A window breaks the SLO on latency, on errors, or by leaving a request unanswered past the bound. */
function windowBreaksSlo(window: WindowStats, slo: Slo): boolean {
  if (errorRate(window) > slo.maxErrorRate) return true;
  if (window.successes === 0) return window.oldestPendingMs > slo.latencyMs;
  return window.latency.percentileMs(slo.percentile) > slo.latencyMs;
}

function summarizeLevel(
  offeredRps: number,
  windows: readonly WindowStats[],
  slo: Slo,
  verdict: { stable: boolean; failedFast: boolean; windowsMeasured: number },
): LoadLevel {
  const merged = mergeWindows(windows);
  const { latency } = merged;
  const rate = errorRate(merged);
  const sloPercentileMs = latency.percentileMs(slo.percentile);
  const errorSample = ERROR_KINDS.map((kind) => merged.errorSamples[kind]).find(
    (sample) => sample !== undefined,
  );
  const sloMet =
    !verdict.failedFast &&
    merged.successes > 0 &&
    sloPercentileMs <= slo.latencyMs &&
    rate <= slo.maxErrorRate;
  return {
    offeredRps,
    // Completions beyond the offered rate are backlog of earlier windows being served, not capacity at
    // this rate: counting them let a level near the knee report up to 12 % more than it was offered.
    achievedRps: Math.min(throughput(merged), offeredRps),
    p50Ms: latency.percentileMs(50),
    p90Ms: latency.percentileMs(90),
    p95Ms: latency.percentileMs(95),
    p99Ms: latency.percentileMs(99),
    maxMs: latency.maxMs,
    minMs: latency.minMs,
    sloPercentileMs,
    errorRate: rate,
    requests: requestCount(merged),
    successes: merged.successes,
    errors: { ...merged.errors },
    ...(errorSample === undefined ? {} : { errorSample }),
    stable: verdict.stable,
    failedFast: verdict.failedFast,
    sloMet,
    windowsMeasured: verdict.windowsMeasured,
    maxSendLagMs: merged.maxSendLagMs,
    oldestPendingMs: merged.oldestPendingMs,
  };
}
