import { InfeasibleConfigError, TrialFaultError } from '../errors.js';
import { checkConstraints, objectiveValue, score } from '../objective/objective.js';
import type { Runner } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { TrialRecord } from '../store/records.js';
import type { Measurer } from './measure.js';

/** What became of one attempt of a trial: aborted (re-run later), or its result to record. */
export type Outcome =
  | 'aborted'
  | {
      status: 'succeeded' | 'infeasible' | 'failed';
      retryable?: boolean;
      /** false: a retry that does not use up `maxTrialAttempts` (see TrialFaultError). */
      countsAsAttempt?: boolean;
      objective?: number;
      score?: number;
      metrics?: TrialRecord['metrics'];
      errorClass?: string;
      errorMessage?: string;
      limits?: TrialRecord['limits'];
      loadCurve?: TrialRecord['loadCurve'];
    };

/** Starts, measures and stops one instance; classifies what went wrong. Never throws. */
export async function executeTrial(
  trial: TrialRecord,
  runner: Runner,
  experiment: ResolvedExperiment,
  measure: Measurer,
  signal: AbortSignal,
): Promise<Outcome> {
  let instance: Awaited<ReturnType<Runner['start']>> | undefined;
  const startedAt = performance.now();
  try {
    instance = await runner.start({
      experiment: experiment.name,
      trialId: trial.id,
      attempt: trial.attempt,
      config: trial.config,
      space: experiment.space,
      signal,
    });
    const readyAt = performance.now();
    const measuring = new AbortController();
    const stopMeasuring = () => measuring.abort(new Error('the instance died'));
    void instance.died?.then(stopMeasuring);
    const { measurement, loadCurve } = await measure(
      instance,
      experiment,
      AbortSignal.any([signal, measuring.signal]),
    )
      .catch(async (error) => {
        throw (await instance?.exitCause?.()) ?? error;
      })
      .finally(() => measuring.abort());
    const death = await instance.exitCause?.();
    if (death) throw death;
    const usage = (await instance.usage?.()) ?? {};
    // What the trial itself cost: the paper's trials took 10-15 minutes each on Kubernetes.
    const timing = {
      startSeconds: (readyAt - startedAt) / 1000,
      loadTestSeconds: (performance.now() - readyAt) / 1000 - (measurement.quietWaitSeconds ?? 0),
    };
    const metrics = { ...measurement, ...stripUndefined(usage), ...(instance.recorded ? {} : timing) };
    const limits = instance.limits;
    try {
      checkConstraints(experiment.objective, metrics);
    } catch (error) {
      if (error instanceof InfeasibleConfigError) {
        return {
          status: 'infeasible',
          metrics,
          limits,
          loadCurve,
          errorClass: 'infeasible',
          errorMessage: error.message,
        };
      }
      throw error;
    }
    const objective = objectiveValue(experiment.objective, metrics, trial.config);
    return {
      status: 'succeeded',
      objective,
      score: score(experiment.objective.goal, objective),
      metrics,
      limits,
      loadCurve,
    };
  } catch (error) {
    if (signal.aborted) return 'aborted';
    if (error instanceof InfeasibleConfigError) {
      return {
        status: 'infeasible',
        errorClass: 'infeasible',
        errorMessage: error.message,
        limits: instance?.limits,
      };
    }
    if (error instanceof TrialFaultError) {
      return {
        status: 'failed',
        retryable: error.retryable,
        countsAsAttempt: error.countsAsAttempt,
        errorClass: error.errorClass,
        errorMessage: error.message,
        limits: instance?.limits,
      };
    }
    return {
      status: 'failed',
      retryable: true,
      errorClass: 'error',
      errorMessage: (error as Error)?.message ?? String(error),
    };
  } finally {
    await instance?.stop().catch(() => {});
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
