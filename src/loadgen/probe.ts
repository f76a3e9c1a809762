import { InfeasibleConfigError, TrialFaultError } from '../errors.js';
import type { HttpTarget, SendOutcome } from './http-target.js';
import type { Slo } from './options.js';

/** Enough tries to get past a cold first request (lazy model load, JIT), few enough to stay quick. */
const PROBES = 3;

/**
 * Sends a few requests one at a time, before any load, to settle questions that load cannot answer
 * better and that would otherwise cost whole levels:
 * - nothing listening, or every request rejected: `TrialFaultError` (`unreachable` / `all-errors`);
 * - every unloaded request already slower than the SLO bound: no rate can meet the SLO
 *   (`InfeasibleConfigError`). One fast answer is enough to go on.
 * Returns the fastest successful latency (ms).
 */
export async function probeTarget(
  target: HttpTarget,
  slo: Slo,
  requestTimeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  // A probe only has to tell "within the bound" from "beyond it"; waiting much longer tells nothing more.
  const timeoutMs = Math.min(requestTimeoutMs, 2 * slo.latencyMs + 100);
  const failures: Extract<SendOutcome, { ok: false }>[] = [];
  let fastestMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < PROBES; i++) {
    signal?.throwIfAborted();
    const startedAt = performance.now();
    const outcome = await target.send(timeoutMs);
    signal?.throwIfAborted();
    const latencyMs = performance.now() - startedAt;
    if (outcome.ok) {
      fastestMs = Math.min(fastestMs, latencyMs);
      if (latencyMs <= slo.latencyMs) return latencyMs;
    } else {
      failures.push(outcome);
    }
  }

  const first = failures[0];
  if (first && !Number.isFinite(fastestMs) && failures.every((failure) => failure.kind !== 'timeout')) {
    const unreachable = failures.every((failure) => failure.kind === 'connection');
    throw new TrialFaultError(
      `all ${PROBES} probe requests failed${unreachable ? ' to connect' : ''}: ${first.detail}`,
      unreachable ? 'unreachable' : 'all-errors',
    );
  }
  const measured = Number.isFinite(fastestMs)
    ? `the fastest of ${PROBES} unloaded requests took ${fastestMs.toFixed(1)} ms`
    : `no unloaded request was answered within ${timeoutMs} ms`;
  throw new InfeasibleConfigError(
    `SLO p${slo.percentile} <= ${slo.latencyMs} ms cannot be met at any rate: ${measured}`,
  );
}
