import type { ControllerEvent } from '../controller/events.js';
import { SHUTDOWN_MESSAGE, trialEventKey } from '../controller/experiment-manager.js';
import type { EventRecord, TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Reads an experiment's event log in the store as the controller's events (the types of
 * src/controller/events.ts), each with the store's event id. The log is the one source of both live
 * and replayed events, so ids are exact and a reconnecting client misses nothing; the controller's
 * own event, when this process saw it, supplies the payload (the trial exactly as it was then).
 *
 * Feed it every record from the start of the log, in order: counters such as `done` are rebuilt from it.
 */
export class EventLogReader {
  private finished = 0;
  private ranBefore = false;
  private requeuedSinceStatus = 0;
  private bestTrialId: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly recent: (key: string) => ControllerEvent | undefined,
  ) {}

  /** Updates the counters with `record`; returns its controller event when `emit` asks for one. */
  async read(record: EventRecord, budget: number, emit: boolean): Promise<ControllerEvent | undefined> {
    const { type, data } = record;
    if (type === 'best-trial') this.bestTrialId = record.trialId;
    if (type === 'trial-finished') this.finished++;
    if (type === 'trial-requeued') this.requeuedSinceStatus++;
    if (type === 'experiment-status') {
      const requeued = this.requeuedSinceStatus;
      const resumed = this.ranBefore;
      this.requeuedSinceStatus = 0;
      if (data.status === 'running') this.ranBefore = true;
      if (!emit) return undefined;
      return this.statusEvent(record, { requeued, resumed });
    }
    if (!emit || record.trialId === undefined) return undefined;
    if (type !== 'trial-started' && type !== 'trial-finished' && type !== 'trial-requeued') return undefined;

    const key = trialEventKey({ type, trialId: record.trialId, attempt: Number(data.attempt) });
    const seen = key ? this.recent(key) : undefined;
    if (seen) return seen;
    const trial = await this.store.getTrial(record.trialId);
    if (!trial) return undefined;
    if (type === 'trial-started') return { type, trial };
    if (type === 'trial-requeued') return { type, trial, reason: String(data.reason ?? '') };
    return { type, trial, best: await this.best(), done: this.finished, budget };
  }

  private async statusEvent(
    record: EventRecord,
    counts: { requeued: number; resumed: boolean },
  ): Promise<ControllerEvent | undefined> {
    const status = String(record.data.status);
    const message = typeof record.data.message === 'string' ? record.data.message : '';
    if (status === 'running') {
      // A shutdown marks interrupted experiments running again so that the next server resumes them;
      // nothing started then.
      if (message === SHUTDOWN_MESSAGE) return undefined;
      return {
        type: 'experiment-started',
        experiment: record.experiment,
        ...counts,
        finished: this.finished,
      };
    }
    if (status === 'created') return undefined;
    return {
      type: 'experiment-ended',
      experiment: record.experiment,
      status,
      message,
      best: await this.best(),
    };
  }

  private async best(): Promise<TrialRecord | undefined> {
    return this.bestTrialId === undefined ? undefined : this.store.getTrial(this.bestTrialId);
  }
}

/** One server-sent event. */
export function formatServerEvent(id: number, event: ControllerEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
