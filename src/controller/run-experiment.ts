import type { Runner } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { ExperimentStatus, TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { assertResumable } from './compatibility.js';
import { endMessage } from './end-message.js';
import type { ControllerEvent } from './events.js';
import { type Ending, joinExperiment, recordEnd } from './join-and-end.js';
import { type Measurer, measureInstance } from './measure.js';
import { bestTrial } from './stop-rules.js';
import { DEFAULT_LEASE, type LeaseSettings, workOn } from './work-loop.js';
import { type WorkerIdentity, workerIdentity } from './worker-identity.js';

export interface RunOptions {
  store: Store;
  experiment: ResolvedExperiment;
  /** Aborting stops the experiment cleanly: running trials are abandoned and re-run on resume. */
  signal?: AbortSignal;
  onEvent?: (event: ControllerEvent) => void;
  /** How a started instance is measured; default: its recorded measurement or a load test. */
  measure?: Measurer;
  /** A runner to use instead of creating the spec's one (tests, shared runners). */
  runner?: Runner;
  /**
   * How many trials this process runs at once; `morphling worker` processes sharing the store run the
   * rest, up to the experiment's `parallelism` in all. 0: only create or resume the experiment, and wait
   * for workers to run it.
   * @default experiment.parallelism
   */
  slots?: number;
  /** Who this process is to other workers of the experiment. @default workerIdentity() */
  identity?: WorkerIdentity;
  lease?: Partial<LeaseSettings>;
}

export interface RunResult {
  status: ExperimentStatus;
  message: string;
  best?: TrialRecord;
  trials: TrialRecord[];
}

/**
 * Runs an experiment until its budget is spent, its space is exhausted, a stop rule fires or it is
 * aborted. Every decision reloads the trials from the store, so a run that starts on an experiment a
 * killed controller left behind continues it: finished trials are kept, trials left running are re-run,
 * and no configuration is measured twice. Workers (`runWorker`) may share the experiment through the
 * store: this process then runs `slots` trials and the workers the rest, by the same claim loop.
 */
export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const { store, experiment } = options;
  const emit = options.onEvent ?? (() => {});
  const stopping = new AbortController();
  const onAbort = () => stopping.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const resumed = await openExperiment(store, experiment);
  const runner =
    options.runner ?? (await experiment.runner.definition.create(experiment.runner.settings, experiment));
  await joinExperiment(store, experiment, runner, emit, resumed);
  await store.setExperimentStatus(experiment.name, 'running');

  const { endReason, endedElsewhere, failure } = await workOn({
    store,
    experiment,
    runner,
    identity: options.identity ?? workerIdentity(),
    slots: options.slots ?? experiment.parallelism,
    lease: { ...DEFAULT_LEASE, ...options.lease },
    measure: options.measure ?? measureInstance,
    stopping,
    emit,
    startedAt: Date.now(),
  });
  options.signal?.removeEventListener('abort', onAbort);
  await runner.close?.();

  const trials = await store.listTrials(experiment.name);
  const best = bestTrial(trials);
  let ending: Ending;
  if (failure || stopping.signal.aborted) {
    ending = failure
      ? { status: 'failed', message: `the controller failed: ${(failure as Error).message ?? failure}` }
      : { status: 'stopped', message: 'stopped by the user; run it again to resume' };
    await store.setExperimentStatus(experiment.name, ending.status, ending.message);
  } else {
    ending =
      endedElsewhere ??
      (await recordEnd(store, experiment.name, {
        status: 'succeeded',
        message: endMessage(endReason ?? 'the experiment ended', best),
      }));
  }
  const { status, message } = ending;
  emit({ type: 'experiment-ended', experiment: experiment.name, status, message, best });
  if (failure) throw failure;
  return { status, message, best, trials };
}

async function openExperiment(store: Store, experiment: ResolvedExperiment): Promise<boolean> {
  const existing = await store.getExperiment(experiment.name);
  if (!existing) {
    await store.createExperiment({
      name: experiment.name,
      document: experiment.document,
      baseDir: experiment.baseDir,
    });
    return false;
  }
  assertResumable(experiment.name, existing.document, experiment.document);
  await store.updateExperimentDocument(experiment.name, experiment.document);
  return true;
}
