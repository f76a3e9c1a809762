import type { Config } from '../space/parameter.js';
import type {
  EventRecord,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentSummary,
  TrialOutcome,
  TrialRecord,
} from './records.js';

/**
 * The only thing that touches the database. Every method that changes state commits it, with an event
 * describing the change, in one transaction before it resolves: a caller may act on a resolved write
 * knowing that a crash right after it loses nothing.
 *
 * Contract (enforced by test/store/store-contract.ts for every implementation):
 * - one trial per configuration of an experiment (`configKey` is unique within it);
 * - trial status moves pending → running → succeeded | infeasible | failed; running → pending only
 *   through `requeueTrial`; finished trials are never modified;
 * - returned records are snapshots: later writes do not change them.
 */
export interface Store {
  /** Throws `ConflictError` if an experiment of that name exists. */
  createExperiment(input: { name: string; document: unknown; baseDir: string }): Promise<ExperimentRecord>;
  getExperiment(name: string): Promise<ExperimentRecord | undefined>;
  listExperiments(): Promise<ExperimentSummary[]>;
  /** Replaces the stored document (e.g. a larger budget on resume). */
  updateExperimentDocument(name: string, document: unknown): Promise<void>;
  setExperimentStatus(name: string, status: ExperimentStatus, message?: string): Promise<void>;
  setBestTrial(name: string, trialId: number): Promise<void>;
  /** Deletes the experiment with its trials and events. */
  deleteExperiment(name: string): Promise<void>;

  /** Adds pending trials atomically; throws `ConflictError` if a configuration already has a trial. */
  addTrials(
    experiment: string,
    trials: readonly { config: Config; configKey: string }[],
  ): Promise<TrialRecord[]>;
  /** pending → running; counts an attempt. */
  startTrial(id: number, runner: string): Promise<TrialRecord>;
  /** running → finished. */
  finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord>;
  /** running → pending, e.g. after a controller died or an attempt failed and will be retried. */
  requeueTrial(
    id: number,
    reason: string,
    /** Recorded on the trial and, with `countsAsAttempt`, in the requeue event. */
    error?: { errorClass: string; errorMessage: string; countsAsAttempt?: boolean },
  ): Promise<TrialRecord>;
  getTrial(id: number): Promise<TrialRecord | undefined>;
  listTrials(experiment: string): Promise<TrialRecord[]>;

  appendEvent(
    experiment: string,
    type: string,
    data: Record<string, unknown>,
    trialId?: number,
  ): Promise<void>;
  listEvents(experiment: string, afterId?: number): Promise<EventRecord[]>;

  close(): Promise<void>;
}
