/**
 * Every error Morphling raises on purpose, grouped by what the caller should do next:
 * - `SpecError`: bad input; fix the spec (CLI exit code 2, HTTP 400). Never retried.
 * - `InfeasibleConfigError`: this configuration cannot meet the service's needs (OOM, SLO unreachable);
 *   a finding about the configuration, recorded as `infeasible`, never retried.
 * - `TrialFaultError`: the trial could not be measured for a reason outside the configuration
 *   (server crashed, missing binary, readiness deadline); recorded as `failed`, retried while attempts remain.
 */

export interface SpecProblem {
  /** Path of the offending field, e.g. `spec.tunableParameters[1].parameters[0].feasibleSpace`. */
  path: string;
  message: string;
}

export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly problems: readonly SpecProblem[],
    readonly source?: string,
  ) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: SpecProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

export class InfeasibleConfigError extends Error {
  override readonly name = 'InfeasibleConfigError';
}

export class TrialFaultError extends Error {
  override readonly name = 'TrialFaultError';
  constructor(
    message: string,
    /** Short machine-readable class, e.g. `crash`, `not-ready`, `missing-binary`, `not-in-table`. */
    readonly errorClass: string,
    options?: { cause?: unknown; retryable?: boolean; countsAsAttempt?: boolean },
  ) {
    super(message, options);
    this.retryable = options?.retryable ?? true;
    this.countsAsAttempt = options?.countsAsAttempt ?? true;
  }

  /** False when trying again cannot help (a configuration missing from a replayed table). */
  readonly retryable: boolean;
  /**
   * False when the trial is not to blame and must simply be measured again, however often (the rest of
   * the machine disturbed it): such a try does not use up `maxTrialAttempts`.
   */
  readonly countsAsAttempt: boolean;
}

/** An experiment or trial referenced by name or id does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request conflicts with the stored state (e.g. an experiment name reused with a different spec). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/**
 * A worker tried to renew, finish or requeue a trial it no longer holds: its lease expired and the
 * trial was re-queued (and maybe claimed by another worker). The caller drops its result; the trial is
 * measured by whoever holds it now.
 */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
  constructor(
    message: string,
    readonly trialId: number,
  ) {
    super(message);
  }
}
