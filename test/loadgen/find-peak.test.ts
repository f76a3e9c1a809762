import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfeasibleConfigError, TrialFaultError } from '../../src/errors.js';
import { findPeak } from '../../src/loadgen/find-peak.js';
import { startTestServer, type TestServer, unusedPort } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('findPeak against a real server', () => {
  it('finds the peak of a single-worker server with 5 ms per request (capacity 200/s)', async () => {
    const startedAt = performance.now();
    const result = await findPeak({
      baseUrl: server.baseUrl,
      request: { path: '/queue/5?q=peak', itemsPerRequest: 2 },
      slo: { percentile: 99, latencyMs: 50 },
    });
    const wallMs = performance.now() - startedAt;
    console.info(
      `peak search: ${result.measurement.rps.toFixed(1)} req/s in ${(wallMs / 1000).toFixed(2)} s, ` +
        `${result.levelsMeasured} levels (${result.curve.map((level) => level.offeredRps.toFixed(0)).join(', ')})`,
    );
    const { measurement } = result;
    expect(measurement.rps).toBeGreaterThan(150);
    expect(measurement.rps).toBeLessThan(250);
    expect(measurement.samplesPerSec).toBeCloseTo(measurement.rps * 2, 6);
    expect(measurement.p99Ms).toBeLessThanOrEqual(50);
    expect(measurement.p50Ms).toBeLessThanOrEqual(measurement.p90Ms as number);
    expect(measurement.errorRate).toBe(0);
    expect(result.peak.sloMet).toBe(true);
    expect(result.levelsMeasured).toBe(result.curve.length);
    expect(result.unloadedLatencyMs).toBeGreaterThanOrEqual(5);
    expect(result.curve.some((level) => !level.sloMet)).toBe(true);
    const offered = result.curve.map((level) => level.offeredRps);
    expect(offered).toEqual([...offered].sort((a, b) => a - b));
    expect(wallMs).toBeLessThan(15_000);
  });

  it('throws InfeasibleConfigError when every response is slower than the SLO', async () => {
    const search = findPeak({
      baseUrl: server.baseUrl,
      request: { path: '/slow/150' },
      slo: { latencyMs: 50 },
    });
    await expect(search).rejects.toThrow(InfeasibleConfigError);
    await expect(search).rejects.toThrow(
      /p99 <= 50 ms cannot be met at any rate: the fastest of 3 .* took 15\d\.\d ms/,
    );
  });

  it('throws InfeasibleConfigError when the SLO breaks even at the lowest rate allowed', async () => {
    // 20 ms per request: capacity 50/s, so at 100/s and 70/s the queue only grows.
    const search = findPeak({
      baseUrl: server.baseUrl,
      request: { path: '/queue/20?q=infeasible' },
      slo: { latencyMs: 30 },
      initialRate: 100,
      minRate: 70,
    });
    await expect(search).rejects.toThrow(/p99 <= 30 ms not met: measured p99 = \d+\.\d ms even at 70 req\/s/);
  });

  it('throws TrialFaultError(unreachable) when nothing listens', async () => {
    const search = findPeak({ baseUrl: `http://127.0.0.1:${await unusedPort()}`, slo: { latencyMs: 50 } });
    await expect(search).rejects.toSatisfy(
      (error) => error instanceof TrialFaultError && error.errorClass === 'unreachable',
    );
  });

  it('throws TrialFaultError(all-errors) when every request is answered with an error', async () => {
    const search = findPeak({
      baseUrl: server.baseUrl,
      request: { path: '/status/500' },
      slo: { latencyMs: 50 },
    });
    await expect(search).rejects.toSatisfy(
      (error) =>
        error instanceof TrialFaultError &&
        error.errorClass === 'all-errors' &&
        /HTTP 500/.test(error.message),
    );
  });

  it('stops promptly when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('trial deadline');
    const search = findPeak({
      baseUrl: server.baseUrl,
      request: { path: '/queue/5?q=abort' },
      slo: { latencyMs: 50 },
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(search).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(200);
  });
});
