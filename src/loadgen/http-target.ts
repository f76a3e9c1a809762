import { type Dispatcher, Pool } from 'undici';
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

const OK: SendOutcome = { ok: true };

/**
 * How often requests past their deadline are looked for: a request times out up to this much after its
 * deadline. One shared sweep instead of a timer per request: at 25k requests/s a `setTimeout` and a
 * `clearTimeout` per request, with the closures around them, cost 12-14 % of the client's throughput.
 */
const TIMEOUT_SWEEP_MS = 10;

/**
 * One request and its response, as undici's dispatch handler. A class (one object per request) rather
 * than closures, for the same reason as the shared sweep.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  private status = 0;
  private abortReason: Error | undefined;
  private abortRequest: ((error: Error) => void) | undefined;

  constructor(
    readonly deadline: number,
    private readonly settle: (exchange: Exchange, outcome: SendOutcome) => void,
    readonly resolve: (outcome: SendOutcome) => void,
  ) {}

  /**
   * undici hands out the abort function once the request is on a socket; until then a queued request
   * keeps the reason and is aborted as soon as it gets there (as `pool.request` does).
   */
  cancel(reason: Error): void {
    this.abortReason ??= reason;
    this.abortRequest?.(reason);
  }

  onConnect(abort: (error: Error) => void): void {
    this.abortRequest = abort;
    if (this.abortReason) abort(this.abortReason);
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  /** The whole body is read (and dropped): it is part of the latency, and frees the connection. */
  onData(): boolean {
    return true;
  }

  onComplete(): void {
    const status = this.status;
    this.settle(
      this,
      status >= 200 && status < 300 ? OK : { ok: false, kind: 'status', detail: `HTTP ${status}` },
    );
  }

  onError(error: Error): void {
    this.settle(this, { ok: false, ...classify(error, this.abortReason) });
  }
}

/**
 * Sends one prepared request to a base URL over a pool of keep-alive HTTP/1.1 connections without
 * pipelining (a pipelined request would wait behind the one before it and measure the client, not the
 * server). `send` never rejects: every failure comes back as a classified outcome.
 *
 * Requests go through undici's low-level `dispatch` with a handler that counts nothing but the status:
 * `pool.request` builds a response stream per request: in an A/B on one core it sent 15-21k requests/s
 * against 34-36k with `dispatch`.
 */
export class HttpTarget {
  private readonly pool: Pool;
  private readonly path: string;
  /** Requests not yet settled, in the order sent. */
  private readonly inFlight = new Set<Exchange>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly settle = (exchange: Exchange, outcome: SendOutcome) => {
    if (this.inFlight.delete(exchange)) exchange.resolve(outcome);
  };

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
      // Our own deadline decides timeouts, measured from the call to `send`.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  get outstanding(): number {
    return this.inFlight.size;
  }

  send(timeoutMs = this.options.requestTimeoutMs): Promise<SendOutcome> {
    return new Promise((resolve) => {
      const exchange = new Exchange(performance.now() + timeoutMs, this.settle, resolve);
      this.inFlight.add(exchange);
      this.sweeper ??= setInterval(() => this.timeOutLateRequests(), TIMEOUT_SWEEP_MS);
      this.pool.dispatch(
        {
          path: this.path,
          method: this.request.method,
          headers: this.request.headers,
          body: this.request.nextBody(),
        },
        exchange,
      );
    });
  }

  private timeOutLateRequests(): void {
    if (this.inFlight.size === 0) {
      this.stopSweeping();
      return;
    }
    const now = performance.now();
    for (const exchange of this.inFlight) if (exchange.deadline <= now) exchange.cancel(new TimedOut());
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Abandons every request in flight; each one's `send` resolves as `cancelled`. */
  cancelAll(): void {
    for (const exchange of this.inFlight) exchange.cancel(new Cancelled());
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
    this.stopSweeping();
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
