import { NotFoundError } from '../errors.js';
import type { Runner } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { ExperimentStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ControllerEvent } from './events.js';
import { recoverOrphans } from './recover.js';
import { isFinished } from './stop-rules.js';

/**
 * What any process does before it claims trials of an experiment, `morphling run` and workers alike:
 * requeue the trials a dead process left running, remove what a dead controller's runner left behind,
 * and say how the experiment stands.
 */
export async function joinExperiment(
  store: Store,
  experiment: ResolvedExperiment,
  runner: Runner,
  emit: (event: ControllerEvent) => void,
  resumed: boolean,
): Promise<void> {
  const requeued = await recoverOrphans(store, experiment.name);
  await runner.cleanup?.();
  const trials = await store.listTrials(experiment.name);
  emit({
    type: 'experiment-started',
    experiment: experiment.name,
    resumed,
    requeued: requeued.length,
    finished: trials.filter(isFinished).length,
  });
}

/** How an experiment deleted from the store while a process worked on it ends, for that process. */
export const DELETED = 'the experiment was deleted from the store';

export interface Ending {
  status: ExperimentStatus;
  message: string;
}

/**
 * Records the end this process saw. Several processes can see the end at the same moment: the first
 * records it and the others get what it recorded (an experiment deleted meanwhile ends `stopped`).
 */
export async function recordEnd(store: Store, name: string, ending: Ending): Promise<Ending> {
  try {
    if (await store.endExperiment(name, ending.status, ending.message)) return ending;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const record = await store.getExperiment(name);
  return record
    ? { status: record.status, message: record.message ?? ending.message }
    : { status: 'stopped', message: DELETED };
}
