import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { ServerProcess } from './child-process.js';

export type Readiness = { ready: true } | { ready: false; reason: 'exited' | 'deadline' };

/** Polls the readiness URL until it answers 2xx, the process exits, or the deadline passes. */
export async function waitUntilReady(
  url: string,
  server: ServerProcess,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<Readiness> {
  const end = Date.now() + deadlineMs;
  let delay = 20;
  while (Date.now() < end) {
    if (server.exit) return { ready: false, reason: 'exited' };
    signal.throwIfAborted();
    try {
      const response = await request(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]) });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ready: true };
    } catch {
      // Not listening yet.
    }
    signal.throwIfAborted();
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
  return server.exit ? { ready: false, reason: 'exited' } : { ready: false, reason: 'deadline' };
}
