import { Pool } from 'undici';
import type { PreparedRequest } from './request-body.js';

/** Why a request failed; `cancelled` means the load generator itself gave up on it (abort or drain). */
export type FailureKind = 'status' | 'timeout' | 'connection' | 'cancelled';

export type SendOutcome = { ok: true } | { ok: false; kind: FailureKind; detail: string };

export interface HttpTargetOptions {
  connections: number;
  requestTimeoutMs: number;
}

/** Lets `cancelAll` tell its own aborts apart from timeouts. */
class Cancelled extends Error {}
class TimedOut extends Error {}

/**
 * Sends one prepared request to a base URL over a pool of keep-alive HTTP/1.1 connections without
 * pipelining (a pipelined request would wait behind the one before it and measure the client, not the
 * server). `send` never rejects: every failure comes back as a classified outcome.
 */
export class HttpTarget {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    baseUrl: string,
    private readonly request: PreparedRequest,
    private readonly options: HttpTargetOptions,
  ) {
    const url = new URL(baseUrl);
    this.path = url.pathname.replace(/\/+$/, '') + request.path;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Our own per-request timer decides timeouts, measured from the call to `send`.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  get outstanding(): number {
    return this.inFlight.size;
  }

  async send(timeoutMs = this.options.requestTimeoutMs): Promise<SendOutcome> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new TimedOut()), timeoutMs);
    try {
      const response = await this.pool.request({
        path: this.path,
        method: this.request.method,
        headers: this.request.headers,
        body: this.request.nextBody(),
        signal: controller.signal,
      });
      // Reading the whole body is part of the latency, and frees the connection for the next request.
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      // `dump` resolves even when an abort or a broken connection cut the body short.
      const bodyError = response.body.errored;
      if (controller.signal.aborted || bodyError) {
        return { ok: false, ...classify(bodyError, controller.signal.reason) };
      }
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
      return { ok: false, kind: 'status', detail: `HTTP ${response.statusCode}` };
    } catch (error) {
      return { ok: false, ...classify(error, controller.signal.reason) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  /** Abandons every request in flight; each one's `send` resolves as `cancelled`. */
  cancelAll(): void {
    for (const controller of this.inFlight) controller.abort(new Cancelled());
  }

  /** Waits until nothing is in flight or `timeoutMs` passed, then cancels what is left. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.inFlight.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.cancelAll();
    // Cancelled requests settle within a tick or two; the bound only guards against a stuck socket.
    const settleDeadline = performance.now() + 1000;
    while (this.inFlight.size > 0 && performance.now() < settleDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async close(): Promise<void> {
    this.cancelAll();
    await this.pool.destroy();
  }
}

function classify(error: unknown, abortReason: unknown): { kind: FailureKind; detail: string } {
  if (abortReason instanceof Cancelled)
    return { kind: 'cancelled', detail: 'cancelled by the load generator' };
  if (abortReason instanceof TimedOut) return { kind: 'timeout', detail: 'no complete response in time' };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'connection', detail: typeof code === 'string' ? `${code}: ${message}` : message };
}
