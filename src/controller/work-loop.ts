import { setTimeout as sleep } from 'node:timers/promises';
import { ClaimLostError } from '../errors.js';
import type { Runner } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { ExperimentStatus, TrialClaim, TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ControllerEvent } from './events.js';
import { executeTrial } from './execute-trial.js';
import { heartbeat } from './heartbeat.js';
import { DELETED } from './join-and-end.js';
import type { Measurer } from './measure.js';
import { bestTrial, isFinished, stopReason } from './stop-rules.js';
import { type SuggestionResult, suggestUnderLease } from './suggest.js';
import type { WorkerIdentity } from './worker-identity.js';

/** How claims are held and how often an idle worker looks for work. */
export interface LeaseSettings {
  /**
   * A claim (and the suggestion lease) lasts this long without a renewal; the holder renews it every
   * third of it. A dead worker's trial runs again after at most this long.
   * @default 30_000
   */
  leaseMs: number;
  /**
   * How long a worker whose work is held by others waits before it looks again.
   * @default 250
   */
  pollMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = { leaseMs: 30_000, pollMs: 250 };

export interface WorkLoopOptions {
  store: Store;
  experiment: ResolvedExperiment;
  runner: Runner;
  identity: WorkerIdentity;
  /** How many trials this process runs at once (the experiment's `parallelism` holds over all processes). */
  slots: number;
  lease: LeaseSettings;
  measure: Measurer;
  /** Aborted to stop: running trials are requeued. The loop aborts it too when a trial fails to record. */
  stopping: AbortController;
  emit: (event: ControllerEvent) => void;
  /** When this process started on the experiment, for `stop.maxDurationSeconds`. */
  startedAt: number;
  /**
   * The stored experiment document this loop was resolved from: stop when the store holds another
   * (a resumed `morphling run` raised the budget or the parallelism), so that a worker re-joins with the
   * new one instead of ending the experiment by the old budget.
   */
  watchDocument?: unknown;
}

export interface WorkLoopResult {
  /** Why the experiment is over, as this process saw it (budget, space, stop rule). */
  endReason?: string;
  /** Set when another process ended the experiment (or deleted it): its status and message. */
  endedElsewhere?: { status: ExperimentStatus; message: string };
  /** The stored document is no longer the one this loop runs (see `watchDocument`). */
  documentChanged?: boolean;
  /** What made the loop stop with an error, after its trials were settled. */
  failure?: unknown;
}

/**
 * The one experiment loop, for `morphling run` and for every worker: claim pending trials up to this
 * process's slots, make suggestions (under the experiment's suggestion lease) when there is room for more
 * trials, run trials with a heartbeat on their claim, and re-queue trials whose holder stopped renewing.
 * Every decision reloads the trials from the store, so any number of processes, on any number of
 * machines, can run it on one experiment; alone, it is the single-process controller.
 */
export async function workOn(options: WorkLoopOptions): Promise<WorkLoopResult> {
  const { store, experiment, runner, identity, slots, lease, stopping, emit } = options;
  const name = experiment.name;
  const algorithm = experiment.algorithm.definition.create(experiment.algorithm.settings);
  const claim: TrialClaim = {
    worker: identity.name,
    token: identity.token,
    runner: runner.name,
    parallelism: experiment.parallelism,
    leaseMs: lease.leaseMs,
  };
  const guard = { token: identity.token };
  const active = new Map<number, Promise<void>>();
  // Finished trials of the experiment as far as this process knows, for progress lines.
  const finished = new Set<number>();
  let best: TrialRecord | undefined;
  const result: WorkLoopResult = {};
  const watched = options.watchDocument === undefined ? undefined : JSON.stringify(options.watchDocument);

  const runTrial = async (trial: TrialRecord) => {
    emit({ type: 'trial-started', trial });
    const lost = new AbortController();
    const beat = heartbeat(
      () => store.renewLease(trial.id, identity.token, lease.leaseMs),
      lease.leaseMs / 3,
      () => lost.abort(new Error('the claim was lost')),
    );
    const outcome = await executeTrial(
      trial,
      runner,
      experiment,
      options.measure,
      AbortSignal.any([stopping.signal, lost.signal]),
    ).finally(() => beat.stop());
    try {
      if (outcome === 'aborted') {
        const reason = 'the experiment was stopped';
        emit({
          type: 'trial-requeued',
          trial: await store.requeueTrial(trial.id, reason, undefined, guard),
          reason,
        });
        return;
      }
      if (outcome.status === 'failed' && outcome.retryable) {
        const counted = outcome.countsAsAttempt !== false;
        // Only a counted failure needs its number (an uncounted one is always measured again).
        const attempt = counted ? trial.attempt - (await uncountedAttempts(store, trial)) : 0;
        if (!counted || attempt < experiment.maxTrialAttempts) {
          const reason = counted
            ? `attempt ${attempt} of ${experiment.maxTrialAttempts} failed: ${outcome.errorMessage}`
            : `measuring again: ${outcome.errorMessage}`;
          const error = {
            errorClass: outcome.errorClass ?? 'error',
            errorMessage: outcome.errorMessage ?? '',
            ...(counted ? {} : { countsAsAttempt: false }),
          };
          const back = await store.requeueTrial(trial.id, reason, error, guard);
          emit({ type: 'trial-requeued', trial: back, reason });
          return;
        }
      }
      const done = await store.finishTrial(trial.id, outcome, guard);
      finished.add(done.id);
      const count = finished.size;
      if (done.status === 'succeeded') best = await store.refreshBestTrial(name);
      emit({ type: 'trial-finished', trial: done, best, done: count, budget: experiment.maxNumTrials });
    } catch (error) {
      // Our lease ran out (a heartbeat came too late) and another worker took the trial over: its
      // result is theirs to record, ours is dropped.
      if (!(error instanceof ClaimLostError)) throw error;
      const now = (await store.getTrial(trial.id)) ?? trial;
      emit({ type: 'trial-requeued', trial: now, reason: `this worker lost its claim: ${error.message}` });
    }
  };

  const launch = (trial: TrialRecord) => {
    const task = runTrial(trial)
      .catch((error) => {
        result.failure ??= error;
        stopping.abort(error);
      })
      .finally(() => active.delete(trial.id));
    active.set(trial.id, task);
  };

  try {
    for (;;) {
      if (stopping.signal.aborted) break;
      const record = await store.getExperiment(name);
      if (record?.status !== 'running') {
        result.endedElsewhere = record
          ? { status: record.status, message: record.message ?? `the experiment is ${record.status}` }
          : { status: 'stopped', message: DELETED };
        break;
      }
      if (watched !== undefined && JSON.stringify(record.document) !== watched) {
        result.documentChanged = true;
        break;
      }
      for (const back of await store.requeueExpired(name, identity.token))
        emit({
          type: 'trial-requeued',
          trial: back,
          reason: `the lease of worker ${back.claimedBy ?? '?'} expired`,
        });
      const trials = await store.listTrials(name);
      for (const t of trials) if (isFinished(t) && !active.has(t.id)) finished.add(t.id);
      // Other workers' results count too; never step back to a worse trial than one we reported.
      const seen = bestTrial(trials);
      if (seen && (best?.score === undefined || (seen.score as number) > best.score)) best = seen;
      result.endReason = stopReason(experiment, trials, options.startedAt);
      if (result.endReason) break;

      const claimAll = async () => {
        while (active.size < slots) {
          const trial = await store.claimTrial(name, claim);
          if (!trial) break;
          launch(trial);
        }
      };
      // A claim takes the experiment's write lock: skip it when the store had nothing pending just now
      // (a trial another worker adds meanwhile is claimed on the next turn).
      if (trials.some((t) => t.status === 'pending')) await claimAll();
      // This list predates our claims; a trial we just claimed was pending in it: in flight either way.
      const inFlight = trials.filter((t) => t.status === 'pending' || t.status === 'running');
      const othersInFlight = inFlight.some((t) => !active.has(t.id));
      const budgetLeft = experiment.maxNumTrials - trials.length;
      let suggestion: SuggestionResult | 'skipped' = 'skipped';
      if (active.size < slots && budgetLeft > 0 && inFlight.length < experiment.parallelism) {
        suggestion = await suggestUnderLease({
          store,
          experiment,
          algorithm,
          identity,
          leaseMs: lease.leaseMs,
        });
        if (suggestion === 'added') {
          // Claim what was added at once; if other workers took it all, look at the store again.
          await claimAll();
          if (active.size === 0) continue;
        }
      }
      if (active.size === 0 && !othersInFlight && suggestion !== 'added') {
        const exhausted = trials.length >= experiment.space.size;
        if (suggestion === 'none') {
          result.endReason = exhausted
            ? 'every configuration of the space was tried'
            : 'the algorithm has nothing left to suggest';
          break;
        }
        if (budgetLeft <= 0) {
          result.endReason = exhausted
            ? 'every configuration of the space was tried'
            : `the budget of ${experiment.maxNumTrials} trials is spent`;
          break;
        }
      }
      // Wait for one of our trials to end; look again after a while when the work is elsewhere: trials
      // of other workers, or their suggestions.
      const poll =
        active.size === 0 || suggestion === 'busy' || (active.size < slots && othersInFlight)
          ? new AbortController()
          : undefined;
      await Promise.race([
        ...active.values(),
        ...(poll
          ? [
              sleep(lease.pollMs, undefined, {
                signal: AbortSignal.any([poll.signal, stopping.signal]),
              }).catch(() => {}),
            ]
          : []),
      ]);
      poll?.abort();
    }
  } catch (error) {
    result.failure ??= error;
    stopping.abort(error);
  }
  await Promise.allSettled([...active.values()]);
  return result;
}

/**
 * Tries of a trial that did not count against `maxTrialAttempts` (the machine, not the trial, was at
 * fault), from its requeue events: the store's attempt counter counts every try.
 */
async function uncountedAttempts(store: Store, trial: TrialRecord): Promise<number> {
  const events = await store.listEvents(trial.experiment, 0, trial.id);
  return events.filter((event) => event.type === 'trial-requeued' && event.data.countsAsAttempt === false)
    .length;
}
