import { ClaimLostError } from '../errors.js';
import type { TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { holderIsDead } from './worker-identity.js';

/**
 * Re-queues the running trials of an experiment whose process is gone, when a process starts on it:
 * trials started without a claim (by a controller that ran alone), trials claimed by a process of this
 * machine that no longer exists (a killed `morphling run` or worker: no need to wait for its lease), and
 * trials whose lease expired. Trials of live workers elsewhere are left alone.
 */
export async function recoverOrphans(store: Store, experiment: string): Promise<TrialRecord[]> {
  const requeued: TrialRecord[] = [];
  for (const trial of await store.listTrials(experiment)) {
    if (trial.status !== 'running') continue;
    if (trial.claimToken && !holderIsDead(trial.claimToken)) continue;
    // With the dead holder's token as the guard: if the trial changed hands meanwhile, it stays.
    const guard = trial.claimToken ? { token: trial.claimToken } : undefined;
    try {
      requeued.push(
        await store.requeueTrial(trial.id, 'the controller that ran it stopped', undefined, guard),
      );
    } catch (error) {
      if (!(error instanceof ClaimLostError)) throw error;
    }
  }
  requeued.push(...(await store.requeueExpired(experiment)));
  return requeued;
}
