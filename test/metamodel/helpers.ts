import type { Algorithm } from '../../src/algorithms/algorithm.js';
import { type Objective, objectiveValue } from '../../src/objective/index.js';
import { type ProfileTable, rowMeasurement } from '../../src/profile/table.js';
import type { Config, Observation } from '../../src/space/parameter.js';
import type { SearchSpace } from '../../src/space/search-space.js';

/** The table as a trial outcome under an objective: succeeded rows score their objective value. */
export function observer(table: ProfileTable, objective: Objective): (config: Config) => Observation {
  return (config) => {
    const row = table.lookup(config);
    if (!row) throw new Error(`no row for ${table.space.key(config)}`);
    if (row.status !== 'succeeded') return { config, status: row.status };
    const value = objectiveValue(objective, rowMeasurement(row), row.config);
    return { config, status: 'succeeded', value, score: value };
  };
}

/** The best objective value of the table (over succeeded rows). */
export function optimum(table: ProfileTable, objective: Objective): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const row of table.rows) {
    if (row.status === 'succeeded')
      best = Math.max(best, objectiveValue(objective, rowMeasurement(row), row.config));
  }
  return best;
}

export interface SearchRun {
  history: Observation[];
  /** Trials until the optimum was measured (undefined: not within the budget). */
  trialsToOptimum: number | undefined;
  /** Wall-clock milliseconds of each suggest call. */
  latencies: number[];
}

/** Suggest → look up → observe, one trial at a time, until the optimum is measured or the budget is spent. */
export async function searchTable(
  algorithm: Algorithm,
  space: SearchSpace,
  table: ProfileTable,
  objective: Objective,
  budget: number,
): Promise<SearchRun> {
  const observe = observer(table, objective);
  const best = optimum(table, objective);
  const history: Observation[] = [];
  const latencies: number[] = [];
  while (history.length < budget) {
    const started = performance.now();
    const [next] = await algorithm.suggest({ space, history, count: 1 });
    latencies.push(performance.now() - started);
    if (!next) break;
    const observation = observe(next);
    history.push(observation);
    if (observation.status === 'succeeded' && (observation.score as number) >= best) {
      return { history, trialsToOptimum: history.length, latencies };
    }
  }
  return { history, trialsToOptimum: undefined, latencies };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
