import type { ResolvedExperiment } from '../spec/resolved.js';
import type { TrialRecord } from '../store/records.js';

/** The reason to end the experiment early, or undefined to go on. */
export function stopReason(
  experiment: ResolvedExperiment,
  trials: readonly TrialRecord[],
  startedAt: number,
): string | undefined {
  const { stop, objective } = experiment;
  const finished = trials
    .filter(isFinished)
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.seq - b.seq);
  if (stop.maxFailedTrials !== undefined) {
    const failed = finished.filter((t) => t.status === 'failed').length;
    if (failed >= stop.maxFailedTrials)
      return `${failed} trials failed (stop.maxFailedTrials is ${stop.maxFailedTrials})`;
  }
  const best = bestTrial(trials);
  if (stop.targetObjective !== undefined && best?.objective !== undefined) {
    const reached =
      objective.goal === 'maximize'
        ? best.objective >= stop.targetObjective
        : best.objective <= stop.targetObjective;
    if (reached) return `trial #${best.seq} reached the target objective ${stop.targetObjective}`;
  }
  if (stop.noImprovementTrials !== undefined && best) {
    const since = finished.length - 1 - finished.findIndex((t) => t.id === best.id);
    if (since >= stop.noImprovementTrials)
      return `no improvement in the last ${since} trials (stop.noImprovementTrials)`;
  }
  if (stop.maxDurationSeconds !== undefined && (Date.now() - startedAt) / 1000 >= stop.maxDurationSeconds) {
    return `ran for ${stop.maxDurationSeconds} s (stop.maxDurationSeconds)`;
  }
  return undefined;
}

/** The succeeded trial with the highest score; the earliest one on ties. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.status !== 'succeeded' || t.score === undefined) continue;
    if (!best || t.score > (best.score as number) || (t.score === best.score && t.seq < best.seq)) best = t;
  }
  return best;
}

/** Succeeded, infeasible or failed: the trial has its result and is never run again. */
export function isFinished(trial: TrialRecord): boolean {
  return trial.status === 'succeeded' || trial.status === 'infeasible' || trial.status === 'failed';
}
