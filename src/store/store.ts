import type { Config } from '../space/parameter.js';
import type {
  EventRecord,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentSummary,
  TrialClaim,
  TrialOutcome,
  TrialRecord,
} from './records.js';

/** Given by the process that claimed a trial: the write is refused with `ClaimLostError` unless it still holds it. */
export interface ClaimGuard {
  token: string;
}

/**
 * The only thing that touches the database. Every method that changes state commits it, with an event
 * describing the change, in one transaction before it resolves: a caller may act on a resolved write
 * knowing that a crash right after it loses nothing.
 *
 * Contract (enforced by test/store/store-contract.ts for every implementation):
 * - one trial per configuration of an experiment (`configKey` is unique within it);
 * - trial status moves pending → running → succeeded | infeasible | failed; running → pending only
 *   through `requeueTrial` or `requeueExpired`; finished trials are never modified;
 * - returned records are snapshots: later writes do not change them.
 *
 * Several processes (workers, possibly on several machines) may share one experiment through one
 * database. They coordinate only through these methods:
 * - `claimTrial` hands each pending trial to one claimer, and never lets more than `parallelism`
 *   trials of the experiment run at once;
 * - a claim is a lease on the database's clock; its holder renews it (`renewLease`) while it measures,
 *   and anyone may `requeueExpired` the trials whose holder stopped renewing (a dead worker);
 * - a holder finishes or requeues its trial with a `ClaimGuard`, which fails if the trial was taken
 *   from it meanwhile, so that no trial is recorded twice;
 * - one process at a time makes suggestions, under the experiment's suggestion lease.
 * Lease renewals and the suggestion lease are bookkeeping, not state changes: they write no event.
 */
export interface Store {
  /** Throws `ConflictError` if an experiment of that name exists. */
  createExperiment(input: { name: string; document: unknown; baseDir: string }): Promise<ExperimentRecord>;
  getExperiment(name: string): Promise<ExperimentRecord | undefined>;
  listExperiments(): Promise<ExperimentSummary[]>;
  /** Replaces the stored document (e.g. a larger budget on resume). */
  updateExperimentDocument(name: string, document: unknown): Promise<void>;
  setExperimentStatus(name: string, status: ExperimentStatus, message?: string): Promise<void>;
  /**
   * Running → `status`, atomically: false, changing nothing, when the experiment is no longer running
   * (another process sharing it saw the end first and recorded it).
   */
  endExperiment(name: string, status: ExperimentStatus, message: string): Promise<boolean>;
  /** Deletes the experiment with its trials and events. */
  deleteExperiment(name: string): Promise<void>;

  /** Adds pending trials atomically; throws `ConflictError` if a configuration already has a trial. */
  addTrials(
    experiment: string,
    trials: readonly { config: Config; configKey: string }[],
  ): Promise<TrialRecord[]>;
  /** pending → running without a claim (a process that runs the experiment alone); counts an attempt. */
  startTrial(id: number, runner: string): Promise<TrialRecord>;
  /**
   * Claims the experiment's pending trial with the lowest `seq`, atomically with every other claimer:
   * pending → running, counts an attempt, records the worker and a lease of `leaseMs` on the database's
   * clock. Resolves to undefined when no trial is pending or `parallelism` trials already run.
   * Throws `NotFoundError` for an unknown experiment.
   */
  claimTrial(experiment: string, claim: TrialClaim): Promise<TrialRecord | undefined>;
  /**
   * Extends the lease of a running trial that `token` holds to `leaseMs` from now (also after it
   * expired, as long as nobody re-queued it). False when the trial is no longer the token's.
   */
  renewLease(id: number, token: string, leaseMs: number): Promise<boolean>;
  /**
   * running → pending for the experiment's trials whose lease expired, except those `exceptToken`
   * holds (a process never takes its own claims away: its heartbeat may only have been late).
   * Resolves to the re-queued trials.
   */
  requeueExpired(experiment: string, exceptToken?: string): Promise<TrialRecord[]>;
  /** running → finished. With a guard, only while the guard's token holds the trial. */
  finishTrial(id: number, outcome: TrialOutcome, guard?: ClaimGuard): Promise<TrialRecord>;
  /**
   * running → pending, e.g. after a controller died or an attempt failed and will be retried. With a
   * guard, only while the guard's token holds the trial.
   */
  requeueTrial(
    id: number,
    reason: string,
    /** Recorded on the trial and, with `countsAsAttempt`, in the requeue event. */
    error?: { errorClass: string; errorMessage: string; countsAsAttempt?: boolean },
    guard?: ClaimGuard,
  ): Promise<TrialRecord>;
  /**
   * Makes the experiment's best trial its succeeded trial with the highest score (the earliest `seq`
   * on ties), in one transaction, recording an event when it changes. Workers call it after finishing
   * a trial; computing it from every trial, not from what one worker saw, means two workers finishing
   * at once cannot leave a worse trial as the best. Resolves to the best trial.
   */
  refreshBestTrial(name: string): Promise<TrialRecord | undefined>;
  /**
   * Takes the experiment's suggestion lease for `token` for `leaseMs`, or renews it. False while
   * another token holds an unexpired lease. Throws `NotFoundError` for an unknown experiment.
   */
  takeSuggestionLease(experiment: string, token: string, leaseMs: number): Promise<boolean>;
  /** Gives the suggestion lease back, if `token` holds it. */
  releaseSuggestionLease(experiment: string, token: string): Promise<void>;
  getTrial(id: number): Promise<TrialRecord | undefined>;
  listTrials(experiment: string): Promise<TrialRecord[]>;

  appendEvent(
    experiment: string,
    type: string,
    data: Record<string, unknown>,
    trialId?: number,
  ): Promise<void>;
  /** The experiment's events after `afterId`, in order; only those of trial `trialId` when given. */
  listEvents(experiment: string, afterId?: number, trialId?: number): Promise<EventRecord[]>;

  close(): Promise<void>;
}
