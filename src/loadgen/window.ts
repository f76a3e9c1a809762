import { LatencyHistogram } from './latency-histogram.js';

/** Failures that count against the error rate; `dropped` = not sent because too many were outstanding. */
export type ErrorKind = 'status' | 'timeout' | 'connection' | 'dropped';
export const ERROR_KINDS: readonly ErrorKind[] = ['status', 'timeout', 'connection', 'dropped'];

/** What happened during one measurement window (outcomes are counted in the window they complete in). */
export interface WindowStats {
  readonly durationMs: number;
  readonly successes: number;
  readonly errors: Readonly<Record<ErrorKind, number>>;
  /** Latency of successful requests, from their intended send time. */
  readonly latency: LatencyHistogram;
  /** How late the client sent its most delayed request; large values mean the client itself is saturated. */
  readonly maxSendLagMs: number;
  /** One example message per error kind, so a report can say what went wrong. */
  readonly errorSamples: Readonly<Partial<Record<ErrorKind, string>>>;
  /**
   * Age (from its intended send time) of the oldest request still unanswered when the window closed:
   * a server too slow to answer within a window shows up here before it shows up in the histogram.
   */
  readonly oldestPendingMs: number;
}

export function errorCount(window: WindowStats): number {
  return ERROR_KINDS.reduce((sum, kind) => sum + window.errors[kind], 0);
}

export function requestCount(window: WindowStats): number {
  return window.successes + errorCount(window);
}

/** Failed fraction of the requests that finished (or were dropped) in the window; 0 when none did. */
export function errorRate(window: WindowStats): number {
  const total = requestCount(window);
  return total === 0 ? 0 : errorCount(window) / total;
}

/** Successful responses per second. */
export function throughput(window: WindowStats): number {
  return window.durationMs <= 0 ? 0 : (window.successes * 1000) / window.durationMs;
}

export function mergeWindows(windows: readonly WindowStats[]): WindowStats {
  const errors = emptyErrors();
  const errorSamples: Partial<Record<ErrorKind, string>> = {};
  for (const window of windows) {
    for (const kind of ERROR_KINDS) {
      errors[kind] += window.errors[kind];
      errorSamples[kind] ??= window.errorSamples[kind];
    }
  }
  return {
    durationMs: windows.reduce((sum, window) => sum + window.durationMs, 0),
    successes: windows.reduce((sum, window) => sum + window.successes, 0),
    errors,
    latency: LatencyHistogram.merge(windows.map((window) => window.latency)),
    maxSendLagMs: windows.reduce((max, window) => Math.max(max, window.maxSendLagMs), 0),
    errorSamples,
    // What is still unanswered at the end is what matters; earlier stragglers have been recorded since.
    oldestPendingMs: windows.at(-1)?.oldestPendingMs ?? 0,
  };
}

function emptyErrors(): Record<ErrorKind, number> {
  return { status: 0, timeout: 0, connection: 0, dropped: 0 };
}

/** Accumulates outcomes into the current window; `rotate` closes it and opens the next. */
export class WindowRecorder {
  private startedAt: number;
  private successes = 0;
  private errors = emptyErrors();
  private latency = new LatencyHistogram();
  private maxSendLagMs = 0;
  private errorSamples: Partial<Record<ErrorKind, string>> = {};

  constructor(now: number) {
    this.startedAt = now;
  }

  recordSuccess(latencyMs: number): void {
    this.successes++;
    this.latency.record(latencyMs);
  }

  recordError(kind: ErrorKind, detail: string): void {
    this.errors[kind]++;
    this.errorSamples[kind] ??= detail;
  }

  recordSendLag(lagMs: number): void {
    if (lagMs > this.maxSendLagMs) this.maxSendLagMs = lagMs;
  }

  rotate(now: number, oldestPendingMs: number): WindowStats {
    const closed: WindowStats = {
      durationMs: now - this.startedAt,
      successes: this.successes,
      errors: this.errors,
      latency: this.latency,
      maxSendLagMs: this.maxSendLagMs,
      errorSamples: this.errorSamples,
      oldestPendingMs,
    };
    this.startedAt = now;
    this.successes = 0;
    this.errors = emptyErrors();
    this.latency = new LatencyHistogram();
    this.maxSendLagMs = 0;
    this.errorSamples = {};
    return closed;
  }
}
