import { LatencyHistogram } from '../../src/loadgen/latency-histogram.js';
import type { LevelDriver } from '../../src/loadgen/level.js';
import type { ErrorKind, WindowStats } from '../../src/loadgen/window.js';

/**
 * A deterministic stand-in for a server, for testing the level and search logic without HTTP: a single
 * queue with capacity `capacity` requests/s whose latency is `baseMs / (1 - utilisation)` below
 * capacity (every request alike), and far beyond any bound above it. The SLO knee for a bound B is
 * therefore at capacity * (1 - baseMs / B). Requests are counted in whole numbers per window, so keep
 * rates high enough (tens per window) for counts to be accurate.
 */
export interface ServiceModel {
  capacity: number;
  baseMs: number;
  /** Fraction of requests answered with an error status, at every rate. */
  errorFraction?: number;
  /** Every request fails this way (a broken target). */
  failAll?: ErrorKind;
}

export function kneeOf(model: ServiceModel, boundMs: number): number {
  return model.capacity * (1 - model.baseMs / boundMs);
}

export class SimulatedService implements LevelDriver {
  private rate = 0;
  private elapsedMs = 0;
  readonly started: number[] = [];

  constructor(private readonly model: ServiceModel) {}

  start(rate: number): void {
    this.rate = rate;
    this.elapsedMs = 0;
    this.started.push(rate);
  }

  async window(durationMs: number, signal?: AbortSignal): Promise<WindowStats> {
    signal?.throwIfAborted();
    this.elapsedMs += durationMs;
    const { capacity, baseMs, errorFraction = 0, failAll } = this.model;
    const served = (Math.min(this.rate, capacity) * durationMs) / 1000;
    const errors = { status: 0, timeout: 0, connection: 0, dropped: 0 };
    const latency = new LatencyHistogram();
    let successes = 0;
    if (failAll) {
      errors[failAll] = Math.round(served);
    } else {
      errors.status = Math.round(served * errorFraction);
      successes = Math.round(served) - errors.status;
      const utilisation = this.rate / capacity;
      const latencyMs =
        utilisation < 1
          ? baseMs / (1 - utilisation)
          : // Overloaded: the backlog, and with it the wait, grows for as long as the level lasts.
            baseMs * 1000 + ((this.rate - capacity) / capacity) * this.elapsedMs;
      if (successes > 0) latency.record(latencyMs, successes);
    }
    return {
      durationMs,
      successes,
      errors,
      latency,
      maxSendLagMs: 0,
      errorSamples: failAll ? { [failAll]: `simulated ${failAll} failure` } : {},
      oldestPendingMs: 0,
    };
  }

  async stop(): Promise<void> {}
}
