import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export type Readiness = { ready: true } | { ready: false; reason: 'exited' | 'deadline' };

/**
 * Polls a readiness URL until it answers 2xx, the instance is gone (`gone()`: its process exited, its
 * container stopped), or the deadline passes. Backs off from 20 ms to 250 ms: a ready server is seen
 * within a quarter second, and a slow one is not flooded.
 */
export async function waitForHttp(
  url: string,
  options: { deadlineMs: number; signal: AbortSignal; gone: () => boolean | Promise<boolean> },
): Promise<Readiness> {
  const { signal } = options;
  const end = Date.now() + options.deadlineMs;
  let delay = 20;
  while (Date.now() < end) {
    if (await options.gone()) return { ready: false, reason: 'exited' };
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
  return (await options.gone()) ? { ready: false, reason: 'exited' } : { ready: false, reason: 'deadline' };
}
