import { z } from 'zod';
import { HttpTarget } from './http-target.js';
import { parseOptions, requestSchema } from './options.js';
import { prepareRequest } from './request-body.js';
import { sleep } from './sleep.js';
import { type ErrorKind, errorRate, requestCount, throughput, WindowRecorder } from './window.js';

export const closedLoopOptionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  request: requestSchema.default(requestSchema.parse({})),
  /** Requests in flight at all times, each on its own connection. */
  concurrency: z.int().positive().default(32),
  durationMs: z.int().positive().default(2000),
  /** Thrown away: connections open and the server warms up. */
  warmupMs: z.int().nonnegative().default(200),
  /**
   * The warm-up also lasts until this many responses came back (a server's first requests can be far
   * slower than the rest: lazy allocation, a batch shape it has not run yet), for at most `maxWarmupMs`.
   */
  warmupRequests: z.int().nonnegative().default(0),
  maxWarmupMs: z.int().positive().default(2000),
  /** The measured window also lasts until this many responses came back, for at most `maxDurationMs`. */
  minRequests: z.int().nonnegative().default(0),
  maxDurationMs: z.int().positive().default(5000),
  requestTimeoutMs: z.int().positive().default(5000),
  seed: z.int().default(1),
});
export type ClosedLoopOptionsInput = z.input<typeof closedLoopOptionsSchema>;

export interface ClosedLoopResult {
  concurrency: number;
  /** Successful responses per second. */
  rps: number;
  samplesPerSec: number;
  /** Latencies from each request's actual send time (a closed loop has no intended time). */
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errorRate: number;
  requests: number;
  errors: Record<ErrorKind, number>;
  durationMs: number;
}

/**
 * Keeps `concurrency` requests in flight for `durationMs`, each worker sending its next request as soon
 * as the previous one is answered. This measures capacity, not latency under a given load: a slow
 * server slows the client down with it. Used to find how fast the load generator itself can go (run it
 * against a trivial server), so that a peak search can tell a saturated client from a saturated server.
 */
export async function measureClosedLoop(
  options: ClosedLoopOptionsInput & { signal?: AbortSignal },
): Promise<ClosedLoopResult> {
  const { signal, ...input } = options;
  const settings = parseOptions(closedLoopOptionsSchema, input, 'closedLoop');
  const request = await prepareRequest(settings.request, settings.seed);
  const target = new HttpTarget(settings.baseUrl, request, {
    connections: settings.concurrency,
    requestTimeoutMs: settings.requestTimeoutMs,
  });
  const recorder = new WindowRecorder(performance.now());
  let running = true;
  let answered = 0;
  const worker = async () => {
    while (running) {
      const sentAt = performance.now();
      const outcome = await target.send();
      if (outcome.ok) recorder.recordSuccess(performance.now() - sentAt);
      else if (outcome.kind !== 'cancelled') recorder.recordError(outcome.kind, outcome.detail);
      else continue;
      answered++;
    }
  };
  const cancelInFlight = () => target.cancelAll();
  signal?.addEventListener('abort', cancelInFlight, { once: true });
  const workers = Array.from({ length: settings.concurrency }, worker);
  try {
    const answeredBy = async (minMs: number, count: number, maxMs: number) => {
      const deadline = performance.now() + Math.max(minMs, maxMs);
      await sleep(minMs, signal);
      while (answered < count && performance.now() < deadline) await sleep(5, signal);
    };
    await answeredBy(settings.warmupMs, settings.warmupRequests, settings.maxWarmupMs);
    recorder.rotate(performance.now(), 0);
    answered = 0;
    await answeredBy(settings.durationMs, settings.minRequests, settings.maxDurationMs);
    const window = recorder.rotate(performance.now(), 0);
    return {
      concurrency: settings.concurrency,
      rps: throughput(window),
      samplesPerSec: throughput(window) * request.itemsPerRequest,
      p50Ms: window.latency.percentileMs(50),
      p90Ms: window.latency.percentileMs(90),
      p95Ms: window.latency.percentileMs(95),
      p99Ms: window.latency.percentileMs(99),
      maxMs: window.latency.maxMs,
      errorRate: errorRate(window),
      requests: requestCount(window),
      errors: { ...window.errors },
      durationMs: window.durationMs,
    };
  } finally {
    running = false;
    signal?.removeEventListener('abort', cancelInFlight);
    // Requests still in flight only need to finish (or be cancelled) so the pool can close.
    target.cancelAll();
    await Promise.all(workers);
    await target.close();
  }
}
