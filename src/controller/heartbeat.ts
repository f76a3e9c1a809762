/**
 * Renews a lease every `everyMs` until stopped. `renew` resolves to false when the lease is gone (the
 * trial was re-queued after it expired): then `onLost` runs once and the heartbeat stops. A renewal that
 * fails (database unreachable for a moment) is tried again at the next beat: the lease is long enough to
 * survive a few missed beats, and if it is not, the next renewal reports it lost.
 */
export function heartbeat(
  renew: () => Promise<boolean>,
  everyMs: number,
  onLost: () => void,
): { stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const beat = async () => {
    const alive = await renew().catch(() => true);
    if (stopped) return;
    if (!alive) {
      stopped = true;
      onLost();
      return;
    }
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(beat, everyMs);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
