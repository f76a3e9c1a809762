import { setTimeout as sleep } from 'node:timers/promises';
import { resolveExperiment } from '../spec/resolve.js';
import type { ExperimentRecord, ExperimentStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import { endMessage } from './end-message.js';
import type { ControllerEvent } from './events.js';
import { joinExperiment, recordEnd } from './join-and-end.js';
import { type Measurer, measureInstance } from './measure.js';
import { bestTrial } from './stop-rules.js';
import { DEFAULT_LEASE, type LeaseSettings, workOn } from './work-loop.js';
import { type WorkerIdentity, workerIdentity } from './worker-identity.js';

export interface WorkerOptions {
  store: Store;
  /**
   * Work on this experiment only: wait until it runs, and return when it has ended. Without it, work on
   * every running experiment of the store, oldest first, until aborted.
   */
  experiment?: string;
  /** @default workerIdentity() (host name and pid) */
  identity?: WorkerIdentity;
  /**
   * Trials this worker runs at once.
   * @default 1
   */
  slots?: number;
  lease?: Partial<LeaseSettings>;
  /** Aborting stops the worker: its running trials are requeued for other workers. */
  signal?: AbortSignal;
  /** What the worker does, with the experiment each event concerns. */
  onEvent?: (event: ControllerEvent) => void;
  /** How a started instance is measured; default: its recorded measurement or a load test. */
  measure?: Measurer;
}

export interface WorkerResult {
  /** The experiments this worker worked on, and how each stood when it left. */
  experiments: { name: string; status: ExperimentStatus; message?: string }[];
}

/**
 * A worker: one of any number of processes, on any machines, that share experiments through one store
 * (PostgreSQL across machines, or a SQLite file on one). It runs the same claim loop as `morphling run`
 * on experiments another process created and started (status `running`); whichever worker sees an
 * experiment end records its status.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  const { store } = options;
  const lease = { ...DEFAULT_LEASE, ...options.lease };
  const identity = options.identity ?? workerIdentity();
  const emit = options.onEvent ?? (() => {});
  const stopping = new AbortController();
  const onAbort = () => stopping.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const result: WorkerResult = { experiments: [] };
  try {
    for (;;) {
      if (stopping.signal.aborted) break;
      const record = await nextExperiment(store, options.experiment);
      if (record === 'ended') break;
      if (record) {
        const status = await work(record);
        // Re-joined at once, with the new document, when it changed under the loop.
        if (status === 'changed') continue;
        result.experiments.push({ name: record.name, ...status });
        if (options.experiment) break;
        continue;
      }
      await sleep(lease.pollMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.experiment && result.experiments.length === 0) {
    const record = await store.getExperiment(options.experiment);
    if (record)
      result.experiments.push({ name: record.name, status: record.status, message: record.message });
  }
  return result;

  async function work(
    record: ExperimentRecord,
  ): Promise<{ status: ExperimentStatus; message?: string } | 'changed'> {
    const experiment = resolveExperiment(record.document, record.baseDir);
    const runner = await experiment.runner.definition.create(experiment.runner.settings, experiment);
    let loop: Awaited<ReturnType<typeof workOn>>;
    try {
      await joinExperiment(store, experiment, runner, emit, true);
      loop = await workOn({
        store,
        experiment,
        runner,
        identity,
        slots: options.slots ?? 1,
        lease,
        measure: options.measure ?? measureInstance,
        stopping,
        emit,
        startedAt: Date.now(),
        watchDocument: record.document,
      });
    } finally {
      await runner.close?.();
    }
    if (loop.failure) throw loop.failure;
    if (loop.documentChanged && !stopping.signal.aborted) return 'changed';
    const best = bestTrial(await store.listTrials(experiment.name));
    if (loop.endedElsewhere) {
      emit({ type: 'experiment-ended', experiment: experiment.name, ...loop.endedElsewhere, best });
      return loop.endedElsewhere;
    }
    if (!loop.endReason) return { status: 'running', message: 'this worker was stopped' };
    const ended = await recordEnd(store, experiment.name, {
      status: 'succeeded',
      message: endMessage(loop.endReason, best),
    });
    emit({ type: 'experiment-ended', experiment: experiment.name, ...ended, best });
    return ended;
  }
}

/**
 * The experiment to work on now: the named one once it runs ('ended' once it has ended), or the
 * oldest running one; undefined to wait and look again.
 */
async function nextExperiment(
  store: Store,
  name: string | undefined,
): Promise<ExperimentRecord | 'ended' | undefined> {
  if (name === undefined) return (await store.listExperiments()).find((e) => e.status === 'running');
  const record = await store.getExperiment(name);
  if (!record || record.status === 'created') return undefined;
  return record.status === 'running' ? record : 'ended';
}
