import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/loadgen/latency-histogram.js';
import { type LevelDriver, measureLevel } from '../../src/loadgen/level.js';
import { levelSettingsSchema, sloSchema } from '../../src/loadgen/options.js';
import { windowsAgree } from '../../src/loadgen/stability.js';
import type { WindowStats } from '../../src/loadgen/window.js';

function window(successes: number, latencyMs: number, extra: Partial<WindowStats> = {}): WindowStats {
  const latency = new LatencyHistogram();
  if (successes > 0) latency.record(latencyMs, successes);
  return {
    durationMs: 200,
    successes,
    errors: { status: 0, timeout: 0, connection: 0, dropped: 0 },
    latency,
    maxSendLagMs: 0,
    errorSamples: {},
    oldestPendingMs: 0,
    ...extra,
  };
}

/** Plays back a fixed sequence of windows (the first one is the warm-up). */
class ScriptedDriver implements LevelDriver {
  readonly durations: number[] = [];
  stoppedWith: 'drain' | 'cancel' | undefined;

  constructor(
    private readonly windows: WindowStats[],
    private readonly drainDelayMs = 0,
  ) {}

  start(): void {}

  async window(durationMs: number, signal?: AbortSignal): Promise<WindowStats> {
    signal?.throwIfAborted();
    this.durations.push(durationMs);
    const next = this.windows.shift();
    if (!next) throw new Error('script exhausted');
    return next;
  }

  async stop(mode: 'drain' | 'cancel'): Promise<void> {
    this.stoppedWith = mode;
    if (this.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.drainDelayMs));
  }
}

const settings = levelSettingsSchema.parse({ warmupMs: 100, windowMs: 200 });
const slo = sloSchema.parse({ latencyMs: 50 });

describe('measureLevel', () => {
  it('throws the warm-up away and stops once the required windows agree', async () => {
    const driver = new ScriptedDriver([
      window(40, 500),
      window(40, 10),
      window(41, 10.5),
      window(40, 10),
      window(40, 10),
    ]);
    const level = await measureLevel(driver, 210, settings, slo);
    expect(driver.durations).toEqual([100, 200, 200, 200]);
    expect(level).toMatchObject({
      stable: true,
      failedFast: false,
      sloMet: true,
      windowsMeasured: 3,
      offeredRps: 210,
    });
    expect(level.achievedRps).toBeCloseTo(121 / 0.6, 5);
    expect(level.p99Ms).toBeCloseTo(10.5, 1);
    expect(driver.stoppedWith).toBe('drain');
  });

  it('records how long the level took, and how much of that was its drain', async () => {
    const windows = [window(40, 10), window(40, 10), window(40, 10), window(40, 10)];
    const level = await measureLevel(new ScriptedDriver(windows, 40), 200, settings, slo);
    expect(level.drainMs).toBeGreaterThanOrEqual(39);
    expect(level.durationMs).toBeGreaterThanOrEqual(level.drainMs as number);
    expect(level.durationMs).toBeLessThan(5000);
  });

  it('never reports more throughput than was offered: the excess is backlog being served', async () => {
    const driver = new ScriptedDriver([window(40, 10), window(48, 10), window(48, 10), window(48, 10)]);
    const level = await measureLevel(driver, 200, settings, slo);
    // 48 completions per 200 ms window would be 240/s at an offered 200/s.
    expect(level.achievedRps).toBe(200);
  });

  it('stretches windows at low rates so that each expects 10 requests, up to 1 s (4 rps → 1 s windows)', async () => {
    const driver = new ScriptedDriver([window(0, 0), window(5, 10), window(5, 10), window(5, 10)]);
    const level = await measureLevel(driver, 4, settings, slo);
    expect(driver.durations).toEqual([100, 1000, 1000, 1000]);
    expect(level.sloMet).toBe(true);
  });

  it('gives up early on a level that keeps breaking the SLO', async () => {
    const driver = new ScriptedDriver([window(40, 10), window(40, 80), window(40, 160), window(40, 10)]);
    const level = await measureLevel(driver, 200, settings, slo);
    expect(level).toMatchObject({ failedFast: true, sloMet: false, stable: false, windowsMeasured: 2 });
    expect(level.maxMs).toBeCloseTo(160, 0);
  });

  it('counts a window with nothing answered past the bound as breaking the SLO', async () => {
    const stalled = window(0, 0, { oldestPendingMs: 120 });
    const driver = new ScriptedDriver([window(0, 0), stalled, stalled]);
    const level = await measureLevel(driver, 10, settings, slo);
    expect(level).toMatchObject({ failedFast: true, sloMet: false, successes: 0, oldestPendingMs: 120 });
  });

  it('reports an unstable level from its last windows once maxWindows is reached', async () => {
    const throughputs = [20, 40, 20, 40, 20, 40];
    const driver = new ScriptedDriver([
      window(40, 10),
      ...throughputs.map((successes) => window(successes, 10)),
    ]);
    const level = await measureLevel(driver, 200, settings, slo);
    expect(level).toMatchObject({ stable: false, failedFast: false, sloMet: true, windowsMeasured: 6 });
    expect(level.achievedRps).toBeCloseTo((40 + 20 + 40) / 0.6, 5);
  });

  it('cancels in-flight requests when aborted', async () => {
    const controller = new AbortController();
    const driver = new ScriptedDriver([window(40, 10), window(40, 10)]);
    const aborting: LevelDriver = {
      start: () => driver.start(),
      stop: (mode) => driver.stop(mode),
      window: async (ms, signal) => {
        const next = await driver.window(ms, signal);
        controller.abort(new Error('aborted'));
        return next;
      },
    };
    await expect(measureLevel(aborting, 100, settings, slo, controller.signal)).rejects.toThrow('aborted');
    expect(driver.stoppedWith).toBe('cancel');
  });
});

describe('windowsAgree', () => {
  it('accepts windows within the tolerance and rejects a trend', () => {
    expect(windowsAgree([window(100, 30), window(104, 31), window(98, 30)], 0.1, slo)).toBe(true);
    expect(windowsAgree([window(100, 30), window(100, 60), window(100, 90)], 0.1, slo)).toBe(false);
    expect(windowsAgree([window(100, 30), window(130, 30), window(160, 30)], 0.1, slo)).toBe(false);
  });

  it('allows the spread that counting alone explains in short windows', () => {
    // 4 vs 6 requests in 200 ms windows is 20 vs 30 requests/s: noise, not a trend.
    expect(windowsAgree([window(4, 5), window(6, 5), window(5, 5)], 0.1, slo)).toBe(true);
  });

  it('judges small latencies against the bound, large ones against themselves', () => {
    // 3 vs 7 ms is a wide relative spread but tiny next to a 50 ms bound.
    expect(windowsAgree([window(100, 3), window(100, 7), window(100, 5)], 0.1, slo)).toBe(true);
    expect(windowsAgree([window(100, 300), window(100, 340), window(100, 320)], 0.1, slo)).toBe(false);
  });

  it('accepts scattered latencies all well under the bound, but not a climbing queue', () => {
    const loose = { ...slo, latencyMs: 100 };
    // p99 of short windows near the knee: 7, 40, 12 ms under a 100 ms bound all say "met".
    expect(windowsAgree([window(100, 7), window(100, 40), window(100, 12)], 0.1, loose)).toBe(true);
    // Climbing to more than twice the first window: a queue is building up, whatever the bound says.
    expect(windowsAgree([window(100, 8), window(100, 15), window(100, 30)], 0.1, loose)).toBe(false);
    // Above half the bound the windows must agree as before.
    expect(windowsAgree([window(100, 20), window(100, 60), window(100, 30)], 0.1, loose)).toBe(false);
  });
});
