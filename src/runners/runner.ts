import type { Measurement } from '../loadgen/measurement.js';
import type { Config } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';

/** What a runner is asked to start: one configuration of one trial. */
export interface TrialRequest {
  experiment: string;
  trialId: number;
  /** 1 for the first try of this trial, 2 after a retry, ... */
  attempt: number;
  config: Config;
  space: SearchSpace;
  /** Aborted when the controller stops (Ctrl-C) or the trial deadline passes. */
  signal: AbortSignal;
}

/**
 * The limits a runner really applied to an instance, recorded per trial. A key is present only when
 * the limit is enforced (e.g. `cpuQuotaCores` only when a CPU quota was written to a cgroup).
 */
export type EnforcedLimits = Readonly<Record<string, string | number | boolean>>;

/** A started serving instance. */
export interface Instance {
  /** Base URL of the instance's HTTP endpoint; absent for runners that replay recorded results. */
  readonly endpoint?: string;
  readonly limits: EnforcedLimits;
  /** The instance's process on this machine, when it runs here: its CPU use is ours, not a neighbour's. */
  readonly pid?: number;
  /** The measurement when it is known without a load test (the replay runner). */
  readonly recorded?: Measurement;
  /** Resource use so far (CPU seconds, peak RSS), where the runner can observe it. */
  usage?(): Promise<Pick<Measurement, 'cpuSeconds' | 'rssMiB'>>;
  /**
   * Why the instance died, if it did: `InfeasibleConfigError` when its configuration killed it (OOM at
   * its memory limit), `TrialFaultError` for a crash. Checked after measuring, since a load test
   * against a dead server only sees connection errors.
   */
  exitCause?(): Promise<Error | undefined>;
  /** Settles when the instance dies on its own, so that a measurement in progress can stop at once. */
  readonly died?: Promise<void>;
  /** Stops the instance and releases everything it held. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Where a trial's serving instance runs. A runner starts and stops one instance with one configuration
 * and knows nothing about search.
 *
 * Contract:
 * - `start` resolves once the instance is ready to serve, or rejects with `InfeasibleConfigError`
 *   (the configuration itself cannot work) or `TrialFaultError` (anything else).
 * - Everything `start` creates is released by `Instance.stop`, also when `start` rejects.
 * - `cleanup` removes what a killed controller left behind, so a restart starts clean.
 */
export interface Runner {
  readonly name: string;
  start(request: TrialRequest): Promise<Instance>;
  cleanup?(): Promise<void>;
  close?(): Promise<void>;
}
