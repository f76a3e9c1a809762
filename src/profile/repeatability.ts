import { median } from '../bench/metrics.js';
import { tableOracle } from '../bench/replay.js';
import { seededRandom } from '../loadgen/random.js';
import type { Objective } from '../objective/index.js';
import type { Config } from '../space/parameter.js';
import { optimumOf } from './analysis.js';
import { type ProfileRow, ProfileTable } from './table.js';

/**
 * How repeatable a profile table is: some of its configurations measured again later (another session,
 * another day), compared with the first measurement. Two questions matter to the corpus: how much one
 * configuration's peak RPS moves (CV), and whether the optimum a search is scored against moves.
 */

export interface RemeasureSelection {
  /** Share of the measured configurations drawn uniformly at random: the CV is read from these. */
  fraction: number;
  /** The best this many configurations under each objective: whether the optimum holds is decided among them. */
  contenders: number;
  seed: number;
}

/** The uniform sample of a table's measured configurations, by a seed (the same seed, the same sample). */
export function sampledConfigs(table: ProfileTable, fraction: number, seed: number): Config[] {
  const random = seededRandom(seed);
  const rows = [...table.rows];
  // Fisher-Yates, stopped after the first `wanted` places.
  const wanted = Math.min(rows.length, Math.ceil(fraction * rows.length));
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (rows.length - i));
    [rows[i], rows[j]] = [rows[j] as ProfileRow, rows[i] as ProfileRow];
  }
  return rows.slice(0, wanted).map((row) => row.config);
}

/** The best `count` configurations of a table under an objective, best first (feasible ones only). */
export function leadingConfigs(table: ProfileTable, objective: Objective, count: number): Config[] {
  const oracle = tableOracle(table, objective);
  return table.rows
    .map((row) => ({ config: row.config, score: oracle.observe(row.config).score }))
    .filter((entry): entry is { config: Config; score: number } => entry.score !== undefined)
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .map((entry) => entry.config);
}

/** The sample, then each objective's contenders, without repeats. */
export function configsToRemeasure(
  table: ProfileTable,
  objectives: readonly Objective[],
  selection: RemeasureSelection,
): Config[] {
  const chosen = new Map<string, Config>();
  const add = (config: Config) => chosen.set(table.space.key(config), config);
  sampledConfigs(table, selection.fraction, selection.seed).forEach(add);
  for (const objective of objectives) leadingConfigs(table, objective, selection.contenders).forEach(add);
  return [...chosen.values()];
}

export interface RepeatedConfig {
  config: Config;
  first: ProfileRow;
  again: ProfileRow;
}

/** The configurations both tables hold, in the first table's order. */
export function repeatedConfigs(first: ProfileTable, again: ProfileTable): RepeatedConfig[] {
  return first.rows.flatMap((row) => {
    const repeat = again.lookup(row.config);
    return repeat ? [{ config: row.config, first: row, again: repeat }] : [];
  });
}

/**
 * Coefficient of variation (sample standard deviation / mean) of the peak RPS of two measurements of
 * one configuration; undefined unless both succeeded. For two values it is √2·|a − b| / (a + b). With a
 * `level`, the repeat is divided by it first (see `levelRatio`).
 */
export function pairCv(pair: RepeatedConfig, level = 1): number | undefined {
  const [a, b] = bothRps(pair);
  if (a === undefined || b === undefined || a + b <= 0) return undefined;
  const scaled = b / level;
  return (Math.SQRT2 * Math.abs(a - scaled)) / (a + scaled);
}

/**
 * The median of again / first over a table's configurations that succeeded both times: how much the
 * whole table moved between the sessions (a faster or slower host), as opposed to single configurations
 * moving. Search and meta-training normalise each table, so a table-wide factor changes neither the
 * optimum nor the surface's shape; `pairCv(pair, levelRatio(pairs))` is the noise that remains.
 */
export function levelRatio(pairs: readonly RepeatedConfig[]): number | undefined {
  const ratios = pairs
    .map(bothRps)
    .filter((rps): rps is [number, number] => rps[0] !== undefined && rps[1] !== undefined && rps[0] > 0)
    .map(([a, b]) => b / a);
  return ratios.length === 0 ? undefined : median(ratios);
}

function bothRps(pair: RepeatedConfig): [number | undefined, number | undefined] {
  const rps = (row: ProfileRow) => (row.status === 'succeeded' ? row.metrics.rps : undefined);
  return [rps(pair.first), rps(pair.again)];
}

export interface OptimumCheck {
  before: Config;
  after: Config;
  /** The configuration best in the first measurements is best in the repeated ones too. */
  holds: boolean;
  /** The first score of the repeated measurements' best as a share of the first best's (1 when it holds):
   * what a search scored against the first measurements would lose by stopping at the new one. */
  firstValueShare: number;
}

/**
 * Among the configurations measured twice, is the one that was best the first time still best? Both
 * tables are cut down to those configurations, so a drift that moves every repeat alike (a slower day)
 * cannot move the optimum; include the contenders (`leadingConfigs`) in the repeats for this to be the
 * table's optimum.
 */
export function optimumCheck(
  first: ProfileTable,
  again: ProfileTable,
  objective: Objective,
): OptimumCheck | undefined {
  const pairs = repeatedConfigs(first, again);
  const restricted = (pick: (pair: RepeatedConfig) => ProfileRow) =>
    new ProfileTable(first.header, pairs.map(pick), first.space);
  const firstTable = restricted((pair) => pair.first);
  const [before, after] = [
    optimumOf(firstTable, objective),
    optimumOf(
      restricted((pair) => pair.again),
      objective,
    ),
  ];
  if (!before || !after) return undefined;
  const holds = first.space.key(before.config) === first.space.key(after.config);
  const oracle = tableOracle(firstTable, objective);
  const afterInFirst = oracle.observe(after.config).score;
  const share = afterInFirst === undefined || !oracle.optimum ? 0 : afterInFirst / oracle.optimum;
  return { before: before.config, after: after.config, holds, firstValueShare: holds ? 1 : share };
}
