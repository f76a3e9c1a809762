import { bestTrial } from '../controller/stop-rules.js';
import type { ExperimentDocument } from '../spec/schema.js';
import type { ExperimentRecord, TrialRecord } from '../store/records.js';
import { setPhase } from './conditions.js';
import type { Phase, ProfilingExperimentStatus, TrialResult } from './resource.js';

const PHASE_OF: Record<ExperimentRecord['status'], Phase> = {
  created: 'Created',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  stopped: 'Stopped',
};

/**
 * The object's status from the store: phase and its condition, trial counts, the best trial so far,
 * start and completion times. Conditions the operator set for other reasons (a refused spec change)
 * are carried over from `previous`.
 */
export function statusFromStore(
  record: ExperimentRecord,
  trials: readonly TrialRecord[],
  previous: ProfilingExperimentStatus | undefined,
  now: string,
): ProfilingExperimentStatus {
  const phase = PHASE_OF[record.status];
  const count = (status: TrialRecord['status']) => trials.filter((t) => t.status === status).length;
  const best = bestTrial(trials);
  const started = trials
    .map((t) => t.startedAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Stopped';
  return {
    ...previous,
    phase,
    message: record.message,
    conditions: setPhase(previous?.conditions ?? [], phase, reasonOf(phase), record.message, now),
    ...(best ? { currentOptimalTrial: trialResult(best, record.document as ExperimentDocument) } : {}),
    startTime: previous?.startTime ?? started,
    completionTime: terminal ? record.updatedAt : undefined,
    trialsTotal: trials.length,
    trialsSucceeded: count('succeeded'),
    trialsFailed: count('failed'),
    trialsInfeasible: count('infeasible'),
    trialsRunning: count('running'),
    trialsPending: count('pending'),
  };
}

function reasonOf(phase: Phase): string {
  return `Experiment${phase}`;
}

/** A trial as alibaba/morphling's TrialResult: parameter values and the objective as strings. */
export function trialResult(trial: TrialRecord, document: ExperimentDocument): TrialResult {
  const categories = new Map(
    document.spec.tunableParameters.flatMap((group) => group.parameters.map((p) => [p.name, group.category])),
  );
  return {
    tunableParameters: Object.entries(trial.config).map(([name, value]) => ({
      name,
      value: String(value),
      category: categories.get(name) ?? '',
    })),
    objectiveMetricsObserved: [
      { name: document.spec.objective.objectiveMetricName, value: String(trial.objective) },
    ],
  };
}
