import type { Algorithm } from '../algorithms/algorithm.js';
import { ConflictError } from '../errors.js';
import type { Observation } from '../space/parameter.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { heartbeat } from './heartbeat.js';
import type { WorkerIdentity } from './worker-identity.js';

/**
 * - `added`: new pending trials are in the store (ours, or another process's that we found there);
 * - `none`: the algorithm has nothing new to suggest;
 * - `busy`: another process is making suggestions; look again later.
 */
export type SuggestionResult = 'added' | 'none' | 'busy';

/**
 * Asks the algorithm for as many trials as there is room for (`parallelism` minus the trials in flight
 * over all workers, within the budget) and adds them. Only the holder of the experiment's suggestion
 * lease does this, so two workers never suggest from the same history; the history is read after the
 * lease is taken, so it includes what the previous holder added. If the lease is lost anyway (a stalled
 * process), `addTrials` still refuses a configuration that already has a trial.
 */
export async function suggestUnderLease(options: {
  store: Store;
  experiment: ResolvedExperiment;
  algorithm: Algorithm;
  identity: WorkerIdentity;
  leaseMs: number;
}): Promise<SuggestionResult> {
  const { store, experiment, algorithm, identity, leaseMs } = options;
  const name = experiment.name;
  if (!(await store.takeSuggestionLease(name, identity.token, leaseMs))) return 'busy';
  // A slow algorithm keeps its lease; losing it is caught by addTrials' duplicate check.
  const beat = heartbeat(
    () => store.takeSuggestionLease(name, identity.token, leaseMs),
    leaseMs / 3,
    () => {},
  );
  try {
    const trials = await store.listTrials(name);
    const inFlight = trials.filter((t) => t.status === 'pending' || t.status === 'running').length;
    const count = Math.min(experiment.parallelism - inFlight, experiment.maxNumTrials - trials.length);
    if (count <= 0) return 'added';
    const suggested = await algorithm.suggest({
      space: experiment.space,
      history: trials.map(toObservation),
      count,
    });
    const known = new Set(trials.map((t) => t.configKey));
    const fresh = [];
    for (const config of suggested) {
      const configKey = experiment.space.key(config);
      if (known.has(configKey)) continue;
      known.add(configKey);
      fresh.push({ config: experiment.space.canonical(config), configKey });
    }
    if (fresh.length === 0) return 'none';
    await store.addTrials(name, fresh.slice(0, count));
    return 'added';
  } catch (error) {
    if (error instanceof ConflictError) return 'added';
    throw error;
  } finally {
    beat.stop();
    await store.releaseSuggestionLease(name, identity.token);
  }
}

function toObservation(trial: TrialRecord): Observation {
  return {
    config: trial.config,
    status: trial.status,
    value: trial.objective,
    score: trial.score,
    metrics: trial.metrics,
  };
}
