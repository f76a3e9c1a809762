import { sampleRankCorrelation } from 'simple-statistics';
import { type TableOracle, tableOracle } from '../bench/replay.js';
import type { Objective } from '../objective/index.js';
import type { Config } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import type { ProfileTable } from './table.js';

/**
 * What a profile corpus says across models: how alike their surfaces are (the paper's "similar trends"
 * observation, which is what makes meta-learning pay), where each model's optimum lies, and how each
 * knob moves throughput on average.
 */

/** Each configuration's objective value (larger is better); configurations without one score `floor`. */
function surface(table: ProfileTable, objective: Objective, floor = 0): Map<string, number> {
  const oracle = tableOracle(table, objective);
  const values = new Map<string, number>();
  for (const config of allConfigs(table.space)) {
    const observed = oracle.observe(config);
    values.set(table.space.key(config), observed.score ?? floor);
  }
  return values;
}

/**
 * Spearman rank correlation of two models' surfaces over the configurations both tables hold. An
 * infeasible configuration ranks below every feasible one: it is the worst outcome, not a missing one.
 * Undefined when fewer than 3 configurations are shared or a surface is flat.
 */
export function surfaceRankCorrelation(
  a: ProfileTable,
  b: ProfileTable,
  objective: Objective,
): number | undefined {
  const left = surface(a, objective, Number.NEGATIVE_INFINITY);
  const right = surface(b, objective, Number.NEGATIVE_INFINITY);
  const [inA, inB] = [measuredKeys(a), measuredKeys(b)];
  const shared = [...left.keys()].filter((key) => right.has(key) && inA.has(key) && inB.has(key));
  if (shared.length < 3) return undefined;
  const ranks = (values: Map<string, number>) => withFloor(shared.map((key) => values.get(key) as number));
  const [x, y] = [ranks(left), ranks(right)];
  if (new Set(x).size < 2 || new Set(y).size < 2) return undefined;
  return sampleRankCorrelation(x, y);
}

/** Replaces -Infinity (no value) by something below every finite value, for rank statistics. */
function withFloor(values: number[]): number[] {
  const finite = values.filter(Number.isFinite);
  const floor = finite.length ? Math.min(...finite) - 1 : 0;
  return values.map((value) => (Number.isFinite(value) ? value : floor));
}

/** The keys of the configurations a table has a row for. */
function measuredKeys(table: ProfileTable): Set<string> {
  return new Set(table.rows.map((row) => table.space.key(row.config)));
}

function allConfigs(space: SearchSpace): Config[] {
  return [...space.configs()];
}

export interface Optimum {
  config: Config;
  value: number;
}

/** The best configuration of a table under an objective (ties: the first in space order). */
export function optimumOf(table: ProfileTable, objective: Objective): Optimum | undefined {
  const oracle = tableOracle(table, objective);
  if (oracle.optimum === undefined) return undefined;
  const config = allConfigs(table.space).find((c) => oracle.optimumKeys.has(table.space.key(c)));
  if (!config) return undefined;
  const value = objective.goal === 'maximize' ? oracle.optimum : -oracle.optimum;
  return { config, value };
}

/**
 * For each value of a knob: the mean over models of (the model's mean objective at that value, over all
 * other knobs, infeasible counting 0) divided by the model's best. Shows a knob's average effect on a
 * common scale, whatever each model's throughput.
 */
export function knobTrend(
  tables: readonly ProfileTable[],
  knob: string,
  objective: Objective,
): { value: string | number; relative: number }[] {
  const first = tables[0];
  const parameter = first?.space.parameter(knob);
  if (!first || !parameter) return [];
  const models = tables.map((table) => {
    const values = surface(table, objective);
    return { table, values, best: Math.max(...values.values()), configs: allConfigs(table.space) };
  });
  return parameter.values.map((value) => {
    const perModel = models.map(({ table, values, best, configs }) => {
      if (!(best > 0)) return 0;
      const atValue = configs
        .filter((config) => String(config[knob]) === String(value))
        .map((config) => values.get(table.space.key(config)) ?? 0);
      return atValue.reduce((sum, v) => sum + v, 0) / atValue.length / best;
    });
    return { value, relative: perModel.reduce((sum, v) => sum + v, 0) / perModel.length };
  });
}

/**
 * The configurations of `tables[0].space` ordered by their mean normalised objective over `tables`
 * (each table's value divided by its own best; infeasible, failed or missing counts 0), best first;
 * ties keep space order. Tried in this order, a new model's search would use what the others say and
 * nothing about itself: the plainest transfer baseline (a "portfolio" of configurations).
 */
export function meanSurfaceOrder(tables: readonly ProfileTable[], objective: Objective): string[] {
  const first = tables[0];
  if (!first) return [];
  const configs = allConfigs(first.space);
  const sums = new Map(configs.map((config) => [first.space.key(config), 0]));
  for (const table of tables) {
    const values = surface(table, objective);
    const best = Math.max(...values.values());
    if (!(best > 0)) continue;
    for (const [key, value] of values)
      if (sums.has(key)) sums.set(key, (sums.get(key) as number) + value / best);
  }
  // The map holds the keys in space order and sort is stable: ties keep space order.
  return [...sums].sort((a, b) => b[1] - a[1]).map(([key]) => key);
}

/** 1-based position of the first of a table's optimal configurations in `order`; undefined if absent. */
export function optimumPosition(
  { optimumKeys }: Pick<TableOracle, 'optimumKeys'>,
  order: readonly string[],
): number | undefined {
  const index = order.findIndex((key) => optimumKeys.has(key));
  return index < 0 ? undefined : index + 1;
}
