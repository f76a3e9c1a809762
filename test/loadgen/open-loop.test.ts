import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureClosedLoop } from '../../src/loadgen/closed-loop.js';
import { HttpTarget } from '../../src/loadgen/http-target.js';
import { OpenLoopGenerator, type OpenLoopOptions } from '../../src/loadgen/open-loop.js';
import { requestSchema } from '../../src/loadgen/options.js';
import { prepareRequest } from '../../src/loadgen/request-body.js';
import { mergeWindows, throughput, type WindowStats } from '../../src/loadgen/window.js';
import { startTestServer, type TestServer, unusedPort } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

interface Run {
  rate: number;
  windows: number;
  windowMs: number;
  warmupMs?: number;
  requestTimeoutMs?: number;
  baseUrl?: string;
  options?: Partial<OpenLoopOptions>;
}

/** Offers `rate` to `path` and returns the windows after the warm-up, plus the most requests seen in flight. */
async function openLoop(
  path: string,
  run: Run,
): Promise<{ windows: WindowStats[]; mostOutstanding: number }> {
  const request = await prepareRequest(requestSchema.parse({ path }), 1);
  const target = new HttpTarget(run.baseUrl ?? server.baseUrl, request, {
    connections: 64,
    requestTimeoutMs: run.requestTimeoutMs ?? 5000,
  });
  const generator = new OpenLoopGenerator(target, {
    arrival: 'constant',
    maxOutstanding: 1000,
    drainTimeoutMs: 0,
    seed: 1,
    ...run.options,
  });
  const windows: WindowStats[] = [];
  let mostOutstanding = 0;
  generator.start(run.rate);
  try {
    if (run.warmupMs) await generator.window(run.warmupMs);
    while (windows.length < run.windows) {
      windows.push(await generator.window(run.windowMs));
      mostOutstanding = Math.max(mostOutstanding, target.outstanding);
    }
  } finally {
    await generator.stop('cancel');
    expect(target.outstanding).toBe(0);
    await target.close();
  }
  return { windows, mostOutstanding };
}

describe('open loop against a single-worker server (5 ms per request, capacity 200/s)', () => {
  it('achieves the offered rate below capacity', async () => {
    const { windows } = await openLoop('/queue/5', { rate: 100, warmupMs: 200, windows: 3, windowMs: 300 });
    const merged = mergeWindows(windows);
    expect(throughput(merged)).toBeGreaterThan(90);
    expect(throughput(merged)).toBeLessThan(110);
    expect(merged.latency.percentileMs(50)).toBeGreaterThanOrEqual(5);
    expect(merged.latency.percentileMs(50)).toBeLessThan(25);
    expect(merged.errors).toEqual({ status: 0, timeout: 0, connection: 0, dropped: 0 });
  });

  it('achieves the offered mean rate with Poisson arrivals', async () => {
    const { windows } = await openLoop('/queue/5?q=poisson', {
      rate: 100,
      warmupMs: 200,
      windows: 4,
      windowMs: 300,
      options: { arrival: 'poisson', seed: 42 },
    });
    const achieved = throughput(mergeWindows(windows));
    expect(achieved).toBeGreaterThan(75);
    expect(achieved).toBeLessThan(125);
  });

  it('measures the growing queue above capacity, which a closed loop hides (coordinated omission)', async () => {
    const { windows } = await openLoop('/queue/5?q=overload', { rate: 300, windows: 4, windowMs: 250 });
    const p99s = windows.map((window) => window.latency.percentileMs(99));
    // 100 requests/s more than the server can do: the backlog, and the wait, grow all the time.
    for (let i = 1; i < p99s.length; i++) expect(p99s[i]).toBeGreaterThan(p99s[i - 1] as number);
    expect(p99s.at(-1)).toBeGreaterThan(200);
    const achieved = throughput(mergeWindows(windows));
    expect(achieved).toBeGreaterThan(170);
    expect(achieved).toBeLessThan(230);

    // A naive client waits for each answer before sending the next, so it never sees the queue.
    const naive = await measureClosedLoop({
      baseUrl: server.baseUrl,
      request: { path: '/queue/5?q=naive' },
      concurrency: 1,
      durationMs: 500,
      warmupMs: 100,
    });
    expect(p99s.at(-1)).toBeGreaterThan(5 * naive.p99Ms);
  });

  it('drops requests beyond maxOutstanding instead of piling them up', async () => {
    const { windows, mostOutstanding } = await openLoop('/slow/1000', {
      rate: 200,
      windows: 2,
      windowMs: 200,
      options: { maxOutstanding: 20 },
    });
    const merged = mergeWindows(windows);
    expect(mostOutstanding).toBeLessThanOrEqual(20);
    expect(merged.errors.dropped).toBeGreaterThan(40);
    expect(merged.errorSamples.dropped).toMatch(/more than 20 requests outstanding/);
  });

  it('counts timeouts, error responses and refused connections as errors', async () => {
    const slow = mergeWindows(
      (
        await openLoop('/slow/500', {
          rate: 50,
          warmupMs: 100,
          windows: 2,
          windowMs: 200,
          requestTimeoutMs: 50,
        })
      ).windows,
    );
    expect(slow.successes).toBe(0);
    expect(slow.errors.timeout).toBeGreaterThan(10);

    const failing = mergeWindows(
      (await openLoop('/status/503', { rate: 50, windows: 2, windowMs: 200 })).windows,
    );
    expect(failing.successes).toBe(0);
    expect(failing.errors.status).toBeGreaterThan(10);
    expect(failing.errorSamples.status).toBe('HTTP 503');

    const baseUrl = `http://127.0.0.1:${await unusedPort()}`;
    const refused = mergeWindows(
      (await openLoop('/ok', { baseUrl, rate: 50, windows: 2, windowMs: 200 })).windows,
    );
    expect(refused.successes).toBe(0);
    expect(refused.errors.connection).toBeGreaterThan(10);
    expect(refused.errorSamples.connection).toMatch(/ECONNREFUSED/);
  });
});
