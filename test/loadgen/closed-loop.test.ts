import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureClosedLoop } from '../../src/loadgen/closed-loop.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('measureClosedLoop', () => {
  it("measures the client's own capacity against a trivial server", async () => {
    const result = await measureClosedLoop({
      baseUrl: server.baseUrl,
      request: { path: '/ok', method: 'GET' },
      concurrency: 32,
      durationMs: 1500,
    });
    console.info(
      `client capacity, closed loop, concurrency 32: ${result.rps.toFixed(0)} req/s ` +
        `(p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms)`,
    );
    expect(result.errorRate).toBe(0);
    // Deliberately loose (a shared 2-core machine, other test files running at the same time): it only
    // has to stay well above the 200 requests/s that the other tests of this folder offer.
    expect(result.rps).toBeGreaterThan(400);
    expect(result.requests).toBeCloseTo(result.rps * 1.5, -2);
  });

  it('saturates a single-worker server at its capacity', async () => {
    const result = await measureClosedLoop({
      baseUrl: server.baseUrl,
      request: { path: '/queue/5' },
      concurrency: 4,
      durationMs: 1000,
    });
    expect(result.rps).toBeGreaterThan(180);
    expect(result.rps).toBeLessThan(210);
    // Four requests always waiting: about four service times each.
    expect(result.p50Ms).toBeGreaterThan(15);
  });

  it('waits for the warm-up answers, so a slow first request does not count against capacity', async () => {
    const options = {
      baseUrl: server.baseUrl,
      concurrency: 4,
      warmupMs: 50,
      durationMs: 300,
    };
    // The first request takes 600 ms and holds up the queue: a fixed 50 ms warm-up measures the backlog.
    const fixed = await measureClosedLoop({ ...options, request: { path: '/cold/600/5?q=fixed' } });
    const waited = await measureClosedLoop({
      ...options,
      request: { path: '/cold/600/5?q=waited' },
      warmupRequests: 4,
    });
    expect(fixed.rps).toBeLessThan(120);
    expect(waited.rps).toBeGreaterThan(170);
    expect(waited.rps).toBeLessThan(210);
  });

  it('stretches the window until enough answers came back, up to its limit', async () => {
    // One answer per 50 ms: 10 answers need ~500 ms, although 100 ms were asked for.
    const oneAtATime = (queue: string, maxDurationMs?: number) =>
      measureClosedLoop({
        baseUrl: server.baseUrl,
        request: { path: `/queue/50?q=${queue}` },
        concurrency: 1,
        warmupMs: 0,
        durationMs: 100,
        minRequests: 10,
        ...(maxDurationMs ? { maxDurationMs } : {}),
      });
    const stretched = await oneAtATime('stretched');
    expect(stretched.requests).toBeGreaterThanOrEqual(10);
    expect(stretched.durationMs).toBeGreaterThan(450);
    const capped = await oneAtATime('capped', 200);
    expect(capped.durationMs).toBeLessThan(300);
    expect(capped.requests).toBeLessThan(6);
  });

  it('sends generated KServe v2 bodies that the server accepts, and counts samples', async () => {
    const result = await measureClosedLoop({
      // The request path is appended to the base URL's own path.
      baseUrl: `${server.baseUrl}/v2/models/`,
      request: {
        path: '/tiny/infer',
        itemsPerRequest: 4,
        source: { kind: 'signature', inputs: [{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }] },
      },
      concurrency: 4,
      durationMs: 300,
      warmupMs: 50,
    });
    expect(result.errorRate).toBe(0);
    expect(result.rps).toBeGreaterThan(0);
    expect(result.samplesPerSec).toBeCloseTo(result.rps * 4, 6);
  });

  it('counts the server rejecting malformed bodies as errors', async () => {
    const result = await measureClosedLoop({
      baseUrl: server.baseUrl,
      request: { path: '/v2/models/tiny/infer', source: { kind: 'json', body: { inputs: [] } } },
      concurrency: 2,
      durationMs: 200,
      warmupMs: 0,
    });
    expect(result.errorRate).toBe(1);
    expect(result.errors.status).toBe(result.requests);
  });
});
