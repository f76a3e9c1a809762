import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTarget } from '../../src/loadgen/http-target.js';
import { requestSchema } from '../../src/loadgen/options.js';
import { prepareRequest } from '../../src/loadgen/request-body.js';
import { startTestServer, type TestServer, unusedPort } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function targetFor(path: string, options: { connections?: number; baseUrl?: string } = {}) {
  const request = await prepareRequest(requestSchema.parse({ path, method: 'GET' }), 1);
  return new HttpTarget(options.baseUrl ?? server.baseUrl, request, {
    connections: options.connections ?? 4,
    requestTimeoutMs: 5000,
  });
}

describe('HttpTarget', () => {
  it('answers ok for 2xx and classifies error statuses and refused connections', async () => {
    const ok = await targetFor('/ok');
    const failing = await targetFor('/status/503');
    const refused = await targetFor('/ok', { baseUrl: `http://127.0.0.1:${await unusedPort()}` });
    try {
      expect(await ok.send()).toEqual({ ok: true });
      expect(await failing.send()).toEqual({ ok: false, kind: 'status', detail: 'HTTP 503' });
      expect(await refused.send()).toMatchObject({ ok: false, kind: 'connection', detail: /ECONNREFUSED/ });
      expect(ok.outstanding + failing.outstanding + refused.outstanding).toBe(0);
    } finally {
      await Promise.all([ok.close(), failing.close(), refused.close()]);
    }
  });

  it('times a request out at its own deadline, also one still queued for a connection', async () => {
    const target = await targetFor('/slow/1000', { connections: 1 });
    try {
      const startedAt = performance.now();
      // One connection: the second request waits in undici's queue behind the first.
      const outcomes = await Promise.all([target.send(100), target.send(100), target.send(300)]);
      const elapsedMs = performance.now() - startedAt;
      expect(outcomes.map((outcome) => outcome.ok || outcome.kind)).toEqual([
        'timeout',
        'timeout',
        'timeout',
      ]);
      // The shared sweep runs every 10 ms; the bound leaves room for a loaded test machine.
      expect(elapsedMs).toBeGreaterThanOrEqual(299);
      expect(elapsedMs).toBeLessThan(900);
      expect(target.outstanding).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('cancels every request in flight', async () => {
    const target = await targetFor('/slow/1000', { connections: 2 });
    try {
      const pending = [target.send(), target.send(), target.send()];
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(target.outstanding).toBe(3);
      target.cancelAll();
      const outcomes = await Promise.all(pending);
      expect(outcomes.map((outcome) => outcome.ok || outcome.kind)).toEqual([
        'cancelled',
        'cancelled',
        'cancelled',
      ]);
      expect(target.outstanding).toBe(0);
    } finally {
      await target.close();
    }
  });
});
