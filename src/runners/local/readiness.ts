import { type Readiness, waitForHttp } from '../http-readiness.js';
import type { ServerProcess } from './child-process.js';

export type { Readiness };

/** Polls the readiness URL until it answers 2xx, the process exits, or the deadline passes. */
export function waitUntilReady(
  url: string,
  server: ServerProcess,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<Readiness> {
  return waitForHttp(url, { deadlineMs, signal, gone: () => server.exit !== undefined });
}
