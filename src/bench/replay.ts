import type { Algorithm } from '../algorithms/algorithm.js';
import { type Objective, objectiveValue } from '../objective/index.js';
import { type ProfileTable, rowMeasurement } from '../profile/table.js';
import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { normalisedBest } from './metrics.js';

/**
 * A profile table under one objective, as a trial oracle: `observe` is what a trial of a configuration
 * would have returned. Succeeded rows score their objective value (larger is better); infeasible and
 * failed rows, rows whose objective cannot be computed (a missing metric, a non-finite value) and
 * configurations the table lacks are trials with no value.
 */
export interface TableOracle {
  readonly table: ProfileTable;
  readonly space: SearchSpace;
  readonly objective: Objective;
  /** The exhaustive optimum: the best objective value over the table (undefined: nothing feasible). */
  readonly optimum: number | undefined;
  /** Keys (`space.key`) of every configuration that reaches the optimum. */
  readonly optimumKeys: ReadonlySet<string>;
  /** How many configurations have a value. */
  readonly feasible: number;
  observe(config: Config): Observation;
}

export function tableOracle(table: ProfileTable, objective: Objective): TableOracle {
  const space = table.space;
  const values = new Map<string, number>();
  for (const row of table.rows) {
    if (row.status !== 'succeeded') continue;
    let value: number;
    try {
      value = objectiveValue(objective, rowMeasurement(row), row.config);
    } catch {
      continue; // no such metric in this row: a trial without a value
    }
    if (!Number.isFinite(value)) continue;
    values.set(space.key(row.config), objective.goal === 'maximize' ? value : -value);
  }
  let optimum: number | undefined;
  for (const score of values.values()) if (optimum === undefined || score > optimum) optimum = score;
  const optimumKeys = new Set([...values].filter(([, s]) => s === optimum).map(([key]) => key));
  return {
    table,
    space,
    objective,
    optimum,
    optimumKeys,
    feasible: values.size,
    observe(config) {
      const canonical = space.canonical(config);
      const key = space.key(canonical);
      const score = values.get(key);
      if (score !== undefined) {
        return {
          config: canonical,
          status: 'succeeded',
          value: objective.goal === 'maximize' ? score : -score,
          score,
        };
      }
      const row = table.lookup(canonical);
      return { config: canonical, status: row?.status === 'infeasible' ? 'infeasible' : 'failed' };
    },
  };
}

/** Whether one of the table's optimal configurations is in `design` (it then flatters every search that starts with it). */
export function optimumInDesign(oracle: TableOracle, design: readonly Config[]): boolean {
  return design.some((config) => oracle.optimumKeys.has(oracle.space.key(config)));
}

export interface ReplayOptions {
  /** Most trials (default: the size of the space). */
  budget?: number;
  /** Stop as soon as the optimum is measured (the rest of the curve would be all 1). Default true. */
  stopAtOptimum?: boolean;
}

/** One search on one table: the best-so-far after every trial, normalised to the exhaustive optimum. */
export interface Trajectory {
  /** `curve[i]`: best score among trials 1..i+1 divided by the optimum (0 before any success). */
  curve: number[];
  /** Keys of the configurations tried, in order. */
  tried: string[];
  /** Whether the optimum was measured. */
  reachedOptimum: boolean;
  /** The budget the search ran under. */
  budget: number;
  /** Why it ended: the optimum was found, the budget was spent, or the algorithm had nothing more. */
  ended: 'optimum' | 'budget' | 'exhausted';
  seconds: number;
}

/**
 * The paper's replay benchmark for one algorithm on one table: suggest one configuration at a time
 * given the whole history, look it up, and record the best-so-far normalised to the optimum. An
 * algorithm that suggests a configuration twice breaks the `Algorithm` contract: that throws.
 */
export async function replay(
  algorithm: Algorithm,
  oracle: TableOracle,
  options: ReplayOptions = {},
): Promise<Trajectory> {
  const { space, optimum } = oracle;
  if (optimum === undefined) throw new Error(`table "${oracle.table.header.model.name}" has no feasible row`);
  const budget = Math.min(options.budget ?? space.size, space.size);
  const stopAtOptimum = options.stopAtOptimum ?? true;
  const started = performance.now();
  const history: Observation[] = [];
  const seen = new Set<string>();
  const curve: number[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let reachedOptimum = false;
  let ended: Trajectory['ended'] = 'budget';
  while (history.length < budget) {
    const [next] = await algorithm.suggest({
      space,
      history,
      count: 1,
      objectiveMetric: oracle.objective.metric,
    });
    if (!next) {
      ended = 'exhausted';
      break;
    }
    const observation = oracle.observe(next);
    const key = space.key(observation.config);
    if (seen.has(key)) throw new Error(`the algorithm suggested ${key} a second time`);
    seen.add(key);
    history.push(observation);
    if (observation.status === 'succeeded') best = Math.max(best, observation.score as number);
    curve.push(normalisedBest(best, optimum));
    if (oracle.optimumKeys.has(key)) reachedOptimum = true;
    if (reachedOptimum && stopAtOptimum) {
      ended = 'optimum';
      break;
    }
  }
  return {
    curve,
    tried: [...seen],
    reachedOptimum,
    budget,
    ended,
    seconds: (performance.now() - started) / 1000,
  };
}
