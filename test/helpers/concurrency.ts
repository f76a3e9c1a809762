import type { EventRecord, TrialRecord } from '../../src/store/records.js';

/**
 * The most trials an experiment ever had running at once, replayed from its event log. Every trial
 * write holds the experiment's lock while it inserts its event, so event ids follow the order in which
 * the store saw the changes, whichever process made them (and a re-queued attempt counts while it ran).
 */
export function peakRunningFromEvents(events: readonly EventRecord[]): number {
  let running = 0;
  let peak = 0;
  for (const event of [...events].sort((a, b) => a.id - b.id)) {
    if (event.type === 'trial-started') peak = Math.max(peak, ++running);
    else if (event.type === 'trial-finished' || event.type === 'trial-requeued') running--;
  }
  return peak;
}

/** The most finished trials whose [startedAt, finishedAt) intervals overlap at one instant. */
export function peakRunningFromTimes(trials: readonly TrialRecord[]): number {
  const edges = trials
    .filter((t) => t.startedAt && t.finishedAt)
    .flatMap((t) => [
      { at: Date.parse(t.startedAt as string), delta: 1 },
      { at: Date.parse(t.finishedAt as string), delta: -1 },
    ])
    // At the same millisecond an end comes first: a trial claimed as another finished did not overlap it.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) {
    running += edge.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}
