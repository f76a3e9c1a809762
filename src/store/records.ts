import type { Measurement } from '../loadgen/measurement.js';
import type { EnforcedLimits } from '../runners/runner.js';
import type { Config } from '../space/parameter.js';

export const TRIAL_STATUSES = ['pending', 'running', 'succeeded', 'infeasible', 'failed'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];
/** A finished trial is never modified again. */
export type FinishedTrialStatus = Extract<TrialStatus, 'succeeded' | 'infeasible' | 'failed'>;

export const EXPERIMENT_STATUSES = ['created', 'running', 'succeeded', 'stopped', 'failed'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export interface ExperimentRecord {
  name: string;
  /** The validated experiment document with defaults applied. */
  document: unknown;
  baseDir: string;
  status: ExperimentStatus;
  /** Why the experiment ended, when it did (stop rule, error, budget). */
  message?: string;
  createdAt: string;
  updatedAt: string;
  bestTrialId?: number;
}

export interface ExperimentSummary extends ExperimentRecord {
  trialCounts: Record<TrialStatus, number>;
  bestObjective?: number;
}

export interface TrialRecord {
  id: number;
  experiment: string;
  /** 1, 2, 3, ... within the experiment, in creation order. */
  seq: number;
  config: Config;
  /** The search space's key of `config`: one trial per configuration. */
  configKey: string;
  status: TrialStatus;
  /** How many times the trial was started. */
  attempt: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  objective?: number;
  /** The objective oriented so that larger is better. */
  score?: number;
  metrics?: Measurement;
  errorClass?: string;
  errorMessage?: string;
  runner?: string;
  limits?: EnforcedLimits;
  /** The levels the peak search measured (offered load → throughput, latency), when a load test ran. */
  loadCurve?: unknown[];
  /** The worker that runs the trial, or ran its last attempt. */
  claimedBy?: string;
  /** The claiming process's token while the trial is running under a claim. */
  claimToken?: string;
  /** While running under a claim: when another worker may re-queue it unless the lease is renewed. */
  leaseExpiresAt?: string;
}

/** Who claims a trial, and under which limits (see `Store.claimTrial`). */
export interface TrialClaim {
  /** The worker's name, for people (`--id`, or host and pid). */
  worker: string;
  /** Unique to the claiming process: only its holder may renew, finish or requeue a claimed trial. */
  token: string;
  runner: string;
  /** At most this many trials of the experiment run at once, over all workers. */
  parallelism: number;
  /** How long the claim lasts without a renewal. */
  leaseMs: number;
}

export interface TrialOutcome {
  status: FinishedTrialStatus;
  objective?: number;
  score?: number;
  metrics?: Measurement;
  errorClass?: string;
  errorMessage?: string;
  limits?: EnforcedLimits;
  loadCurve?: unknown[];
}

export interface EventRecord {
  id: number;
  experiment: string;
  trialId?: number;
  at: string;
  type: string;
  data: Record<string, unknown>;
}
