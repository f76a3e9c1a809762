import { InfeasibleConfigError, TrialFaultError } from '../errors.js';
import { checkConstraints, objectiveValue, score } from '../objective/objective.js';
import type { Runner } from '../runners/runner.js';
import type { Observation } from '../space/parameter.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { ExperimentStatus, TrialRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { assertResumable } from './compatibility.js';
import type { ControllerEvent } from './events.js';
import { type Measurer, measureInstance } from './measure.js';
import { bestTrial, stopReason } from './stop-rules.js';

export interface RunOptions {
  store: Store;
  experiment: ResolvedExperiment;
  /** Aborting stops the experiment cleanly: running trials are abandoned and re-run on resume. */
  signal?: AbortSignal;
  onEvent?: (event: ControllerEvent) => void;
  /** How a started instance is measured; default: its recorded measurement or a load test. */
  measure?: Measurer;
  /** A runner to use instead of creating the spec's one (tests, shared runners). */
  runner?: Runner;
}

export interface RunResult {
  status: ExperimentStatus;
  message: string;
  best?: TrialRecord;
  trials: TrialRecord[];
}

/**
 * Runs an experiment until its budget is spent, its space is exhausted, a stop rule fires or it is
 * aborted. Every decision reloads the trials from the store, so a run that starts on an experiment a
 * killed controller left behind continues it: finished trials are kept, trials left running are re-run,
 * and no configuration is measured twice.
 */
export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const { store, experiment } = options;
  const emit = options.onEvent ?? (() => {});
  const measure = options.measure ?? measureInstance;
  const stopping = new AbortController();
  const onAbort = () => stopping.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const resumed = await openExperiment(store, experiment);
  const requeued: TrialRecord[] = [];
  for (const trial of await store.listTrials(experiment.name)) {
    if (trial.status === 'running')
      requeued.push(await store.requeueTrial(trial.id, 'the controller that ran it stopped'));
  }
  const runner =
    options.runner ?? (await experiment.runner.definition.create(experiment.runner.settings, experiment));
  await runner.cleanup?.();
  await store.setExperimentStatus(experiment.name, 'running');
  const initial = await store.listTrials(experiment.name);
  emit({
    type: 'experiment-started',
    experiment: experiment.name,
    resumed,
    requeued: requeued.length,
    finished: initial.filter((t) => isFinished(t)).length,
  });

  const algorithm = experiment.algorithm.definition.create(experiment.algorithm.settings);
  const active = new Map<number, Promise<void>>();
  const startedAt = Date.now();
  let best = bestTrial(initial);
  let done = initial.filter(isFinished).length;
  let endReason: string | undefined;
  let failure: unknown;

  const runTrial = async (pending: TrialRecord) => {
    const trial = await store.startTrial(pending.id, runner.name);
    emit({ type: 'trial-started', trial });
    const outcome = await executeTrial(trial, runner, experiment, measure, stopping.signal);
    if (outcome === 'aborted') {
      const back = await store.requeueTrial(trial.id, 'the experiment was stopped');
      emit({ type: 'trial-requeued', trial: back, reason: 'the experiment was stopped' });
      return;
    }
    if (outcome.status === 'failed' && outcome.retryable) {
      const counted = outcome.countsAsAttempt !== false;
      const attempt = trial.attempt - (await uncountedAttempts(store, trial));
      if (!counted || attempt < experiment.maxTrialAttempts) {
        const reason = counted
          ? `attempt ${attempt} of ${experiment.maxTrialAttempts} failed: ${outcome.errorMessage}`
          : `measuring again: ${outcome.errorMessage}`;
        const back = await store.requeueTrial(trial.id, reason, {
          errorClass: outcome.errorClass ?? 'error',
          errorMessage: outcome.errorMessage ?? '',
          ...(counted ? {} : { countsAsAttempt: false }),
        });
        emit({ type: 'trial-requeued', trial: back, reason });
        return;
      }
    }
    const finished = await store.finishTrial(trial.id, outcome);
    if (finished.status === 'succeeded' && (!best || (finished.score as number) > (best.score as number))) {
      best = finished;
      await store.setBestTrial(experiment.name, finished.id);
    }
    done++;
    emit({ type: 'trial-finished', trial: finished, best, done, budget: experiment.maxNumTrials });
  };

  try {
    for (;;) {
      if (stopping.signal.aborted) break;
      const trials = await store.listTrials(experiment.name);
      endReason = stopReason(experiment, trials, startedAt);
      if (endReason) break;
      let free = experiment.parallelism - active.size;
      for (const trial of trials) {
        if (free <= 0) break;
        if (trial.status === 'pending' && !active.has(trial.id)) {
          launch(trial);
          free--;
        }
      }
      const budgetLeft = experiment.maxNumTrials - trials.length;
      if (free > 0 && budgetLeft > 0) {
        const history: Observation[] = trials.map(toObservation);
        const known = new Set(trials.map((t) => t.configKey));
        const suggested = await algorithm.suggest({
          space: experiment.space,
          history,
          count: Math.min(free, budgetLeft),
          objectiveMetric: experiment.objective.metric,
        });
        const fresh = [];
        for (const config of suggested) {
          const configKey = experiment.space.key(config);
          if (known.has(configKey)) continue;
          known.add(configKey);
          fresh.push({ config: experiment.space.canonical(config), configKey });
        }
        for (const trial of await store.addTrials(
          experiment.name,
          fresh.slice(0, Math.min(free, budgetLeft)),
        ))
          launch(trial);
        if (fresh.length === 0 && active.size === 0) {
          endReason =
            trials.length >= experiment.space.size
              ? 'every configuration of the space was tried'
              : 'the algorithm has nothing left to suggest';
          break;
        }
      }
      if (active.size === 0) {
        endReason =
          trials.length >= experiment.space.size
            ? 'every configuration of the space was tried'
            : `the budget of ${experiment.maxNumTrials} trials is spent`;
        break;
      }
      await Promise.race([...active.values()]);
    }
  } catch (error) {
    failure = error;
    stopping.abort(error);
  }
  await Promise.allSettled([...active.values()]);
  options.signal?.removeEventListener('abort', onAbort);
  await runner.close?.();

  const trials = await store.listTrials(experiment.name);
  best = bestTrial(trials);
  const [status, message]: [ExperimentStatus, string] = failure
    ? ['failed', `the controller failed: ${(failure as Error).message ?? failure}`]
    : stopping.signal.aborted
      ? ['stopped', 'stopped by the user; run it again to resume']
      : ['succeeded', `${endReason}${best ? '' : '; no configuration met the objective and constraints'}`];
  await store.setExperimentStatus(experiment.name, status, message);
  emit({ type: 'experiment-ended', experiment: experiment.name, status, message, best });
  if (failure) throw failure;
  return { status, message, best, trials };

  function launch(trial: TrialRecord) {
    const task = runTrial(trial)
      .catch((error) => {
        failure ??= error;
        stopping.abort(error);
      })
      .finally(() => active.delete(trial.id));
    active.set(trial.id, task);
  }
}

async function openExperiment(store: Store, experiment: ResolvedExperiment): Promise<boolean> {
  const existing = await store.getExperiment(experiment.name);
  if (!existing) {
    await store.createExperiment({
      name: experiment.name,
      document: experiment.document,
      baseDir: experiment.baseDir,
    });
    return false;
  }
  assertResumable(experiment.name, existing.document, experiment.document);
  await store.updateExperimentDocument(experiment.name, experiment.document);
  return true;
}

type Outcome =
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
async function executeTrial(
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
      loadTestSeconds: (performance.now() - readyAt) / 1000,
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

/**
 * Tries of a trial that did not count against `maxTrialAttempts` (the machine, not the trial, was at
 * fault), from its requeue events: the store's attempt counter counts every try.
 */
async function uncountedAttempts(store: Store, trial: TrialRecord): Promise<number> {
  const events = await store.listEvents(trial.experiment);
  return events.filter(
    (event) =>
      event.trialId === trial.id &&
      event.type === 'trial-requeued' &&
      event.data.countsAsAttempt === false,
  ).length;
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

function isFinished(trial: TrialRecord): boolean {
  return trial.status === 'succeeded' || trial.status === 'infeasible' || trial.status === 'failed';
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
