import {
  type Objective,
  type ObjectiveMetric,
  objectiveValue,
  PricingSchema,
  score,
} from '../objective/index.js';
import { type ProfileTable, rowMeasurement } from '../profile/table.js';
import type { Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { normaliseScores } from './normalise.js';
import { assertSameSpace } from './space-match.js';

/**
 * One model's configuration → performance surface as a regression task: x = the unit-cube encoding of a
 * configuration, y = its normalised objective score (see normalise.ts: the task's best is 1).
 *
 * Only succeeded rows are regression points. Infeasible and failed rows are information, not zeros: a
 * 0 target would teach the network a cliff that is not in the objective (an OOM at batch 128 says
 * nothing about the throughput of batch 64). They are kept aside (`infeasible`, `failed`) and the
 * search algorithms handle them by steering candidates away from them.
 */
export interface RegressionTask {
  readonly name: string;
  readonly x: number[][];
  readonly y: number[];
  /** The raw score that maps to 1. */
  readonly best: number;
  readonly infeasible: number[][];
  readonly failed: number[][];
}

/** An objective for building tasks: maximise `metric` (minimise for latencies), paper prices by default. */
export function taskObjective(
  metric: ObjectiveMetric,
  options: { goal?: Objective['goal']; pricing?: Objective['pricing'] } = {},
): Objective {
  const minimise = /Ms$|^errorRate$|^cpuSeconds$|^rssMiB$|^gpuMemMiB$/.test(metric);
  return {
    goal: options.goal ?? (minimise ? 'minimize' : 'maximize'),
    metric,
    pricing: options.pricing ?? PricingSchema.parse({}),
    slo: { percentile: 99, latencyMs: 1000, maxErrorRate: 0 },
    constraints: {},
  };
}

/**
 * The task of one profile table. `space` (default: the table's own) is the space the network encodes;
 * it must encode like the table's space.
 */
export function tableTask(
  table: ProfileTable,
  objective: Objective,
  space: SearchSpace = table.space,
): RegressionTask {
  if (space !== table.space)
    assertSameSpace(table.space.toJSON(), space, `profile table "${table.header.model.name}"`);
  const x: number[][] = [];
  const scores: number[] = [];
  const infeasible: number[][] = [];
  const failed: number[][] = [];
  for (const row of table.rows) {
    const point = space.encode(space.canonical(row.config));
    if (row.status === 'infeasible') infeasible.push(point);
    else if (row.status === 'failed') failed.push(point);
    else {
      let value: number;
      try {
        value = score(objective.goal, objectiveValue(objective, rowMeasurement(row), row.config));
      } catch {
        continue; // the row lacks the objective's metric: not a point of this task
      }
      if (!Number.isFinite(value)) continue;
      x.push(point);
      scores.push(value);
    }
  }
  const normalised = normaliseScores(scores);
  return {
    name: table.header.model.name,
    x,
    y: normalised.values,
    best: normalised.best,
    infeasible,
    failed,
  };
}

/**
 * The regression points of an experiment so far: every succeeded trial with a finite score, normalised
 * like a training task but by the best score observed so far (the service's true best is unknown).
 */
export function observationTask(space: SearchSpace, history: readonly Observation[]): RegressionTask {
  const succeeded = history.filter(
    (o) => o.status === 'succeeded' && typeof o.score === 'number' && Number.isFinite(o.score),
  );
  const normalised = normaliseScores(succeeded.map((o) => o.score as number));
  return {
    name: 'observations',
    x: succeeded.map((o) => space.encode(o.config)),
    y: normalised.values,
    best: normalised.best,
    infeasible: history.filter((o) => o.status === 'infeasible').map((o) => space.encode(o.config)),
    failed: history.filter((o) => o.status === 'failed').map((o) => space.encode(o.config)),
  };
}
