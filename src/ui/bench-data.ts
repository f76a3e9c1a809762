/**
 * Pure transforms behind the Benchmarks page and the bench overlay of a replay experiment's
 * convergence plot: no DOM, no ECharts, unit-tested on Node. The numbers are the bench's own
 * (src/bench/metrics.ts), so the page agrees with the bench's report.md.
 */
import { bestWithin, formatCost, normalisedBest, searchCost, summariseCosts } from '../bench/metrics.js';
import type { BenchListing, SourcedRun } from '../bench/run-schema.js';
import type { ConvergencePoint, Goal } from './data.js';

/** Runs of one file, or of all files with repeats left out. */
export interface MergedRuns {
  runs: SourcedRun[];
  /** Runs left out because an earlier file has the same objective, table, algorithm and seed. */
  repeated: number;
}

const runKey = (r: SourcedRun) => JSON.stringify([r.objective, r.table, r.algorithm, r.seed]);

/**
 * The runs of `source` (an index into `listing.sources`), or of every file when undefined: then a run
 * whose objective, table, algorithm and seed an earlier file already has is a repeat (two bench folders
 * that both ran random search) and left out, so that no search is counted twice.
 */
export function mergeRuns(listing: BenchListing, source?: number): MergedRuns {
  if (source !== undefined) return { runs: listing.runs.filter((r) => r.source === source), repeated: 0 };
  const firstSource = new Map<string, number>();
  const runs: SourcedRun[] = [];
  let repeated = 0;
  for (const run of listing.runs) {
    const key = runKey(run);
    const first = firstSource.get(key);
    if (first === undefined) firstSource.set(key, run.source);
    if (first === undefined || first === run.source) runs.push(run);
    else repeated += 1;
  }
  return { runs, repeated };
}

/** Distinct values in order of first appearance. */
function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export function objectivesOf(runs: readonly SourcedRun[]): string[] {
  return distinct(runs.map((r) => r.objective));
}

/**
 * The order report.md lists a default bench's algorithms in (`DEFAULT_ALGORITHMS` of
 * src/bench/command.ts, which the UI bundle cannot import), then the other own algorithms and the
 * peers; runs.jsonl does not record the order a bench was given.
 */
export const ALGORITHM_ORDER = [
  'morphling',
  'morphling-gp',
  'finetune',
  'bo',
  'random',
  'grid',
  'ernest',
  'vizier',
  'optuna-tpe',
  'optuna-cmaes',
  'optuna-random',
  'sklearn-gp-ei',
];

/** The algorithms of some runs in ALGORITHM_ORDER; names it lacks follow in order of appearance. */
export function algorithmsOf(runs: readonly SourcedRun[]): string[] {
  const rank = (name: string) => {
    const index = ALGORITHM_ORDER.indexOf(name);
    return index < 0 ? ALGORITHM_ORDER.length : index;
  };
  return distinct(runs.map((r) => r.algorithm))
    .map((name, appearance) => ({ name, appearance }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.appearance - b.appearance)
    .map((a) => a.name);
}

export interface TableInfo {
  table: string;
  family: string;
  /** The optimum is an initial-design corner: the bench reports these tables apart. */
  cornerOptimum: boolean;
  runs: number;
}

/** The tables with runs under an objective, in order of first appearance. */
export function tablesOf(runs: readonly SourcedRun[], objective: string): TableInfo[] {
  const tables = new Map<string, TableInfo>();
  for (const run of runs) {
    if (run.objective !== objective) continue;
    const info = tables.get(run.table) ?? {
      table: run.table,
      family: run.family,
      cornerOptimum: run.cornerOptimum,
      runs: 0,
    };
    info.runs += 1;
    tables.set(run.table, info);
  }
  return [...tables.values()];
}

/** Which runs a view aggregates: one objective, one table or all, corner-optimum tables or not. */
export interface BenchSelection {
  objective: string;
  /** A table's model name; undefined: aggregated over tables. */
  table?: string;
  /** Aggregated over tables, whether corner-optimum tables count (report.md leaves them out). */
  includeCorner: boolean;
}

export function selectRuns(runs: readonly SourcedRun[], selection: BenchSelection): SourcedRun[] {
  return runs.filter(
    (r) =>
      r.objective === selection.objective &&
      (selection.table !== undefined
        ? r.table === selection.table
        : selection.includeCorner || !r.cornerOptimum),
  );
}

// ---------------------------------------------------------------------------------------------------
// Mean curves with a band.

export type BandKind = 'iqr' | 'minmax' | 'none';

export const BAND_LABELS: Readonly<Record<BandKind, string>> = {
  iqr: 'interquartile range',
  minmax: 'min–max',
  none: 'none',
};

/** The q-quantile of sorted values, linearly interpolated between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (at - low);
}

export interface CurvePoint {
  trial: number;
  mean: number;
  low: number;
  high: number;
}

export interface BenchCurve {
  algorithm: string;
  /** Runs averaged (tables × seeds). */
  runs: number;
  tables: number;
  points: CurvePoint[];
}

/**
 * Each algorithm's best-so-far (objective / table optimum) after 1..xMax trials: the mean over its
 * runs, and a band (interquartile range or min–max, or none) across them. A run that stopped early (at the
 * optimum, or with nothing left to try) keeps its last value, as in the bench's own budget table.
 */
export function benchCurves(
  runs: readonly SourcedRun[],
  xMax: number,
  band: BandKind,
  algorithms = algorithmsOf(runs),
): BenchCurve[] {
  return algorithms
    .map((algorithm) => {
      const mine = runs.filter((r) => r.algorithm === algorithm);
      const points: CurvePoint[] = [];
      for (let trial = 1; trial <= xMax && mine.length > 0; trial++) {
        const values = mine.map((r) => bestWithin(r.curve, trial)).sort((a, b) => a - b);
        const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
        // No band: an empty one (low = high = mean), so that every curve has the same shape.
        const [low, high] =
          band === 'iqr'
            ? [quantile(values, 0.25), quantile(values, 0.75)]
            : band === 'minmax'
              ? [values[0] as number, values[values.length - 1] as number]
              : [mean, mean];
        points.push({ trial, mean, low, high });
      }
      return { algorithm, runs: mine.length, tables: new Set(mine.map((r) => r.table)).size, points };
    })
    .filter((curve) => curve.runs > 0);
}

/** How many trials the longest run took (its search stopped at the optimum or at its budget). */
export function longestRun(runs: readonly SourcedRun[]): number {
  return Math.max(0, ...runs.map((r) => r.curve.length));
}

// ---------------------------------------------------------------------------------------------------
// Search cost.

/** The thresholds the dashboard's search-cost table shows (fractions of the optimum). */
export const COST_THRESHOLDS = [0.9, 0.95, 1] as const;

export interface CostCell {
  threshold: number;
  median: number;
  max: number;
  /** Runs that never reached the threshold. */
  censored: number;
  /** `median / max` as report.md writes it (`>B`: not within the budget B). */
  text: string;
}

export interface CostRow {
  algorithm: string;
  runs: number;
  tables: number;
  /** Runs that measured the optimum itself. */
  reachedOptimum: number;
  cells: CostCell[];
}

/** Trials to reach each threshold of the optimum per algorithm: median and max over runs (∞ if never). */
export function searchCostRows(
  runs: readonly SourcedRun[],
  thresholds: readonly number[] = COST_THRESHOLDS,
  algorithms = algorithmsOf(runs),
): CostRow[] {
  return algorithms
    .map((algorithm) => {
      const mine = runs.filter((r) => r.algorithm === algorithm);
      const cells = thresholds.map((threshold) => {
        const s = summariseCosts(
          mine.map((r) => searchCost(r.curve, threshold)),
          mine.map((r) => r.budget),
        );
        return {
          threshold,
          median: s.median,
          max: s.max,
          censored: s.censored,
          text: `${formatCost(s.median, s.budget)} / ${formatCost(s.max, s.budget)}`,
        };
      });
      return {
        algorithm,
        runs: mine.length,
        tables: new Set(mine.map((r) => r.table)).size,
        reachedOptimum: mine.filter((r) => r.reachedOptimum).length,
        cells,
      };
    })
    .filter((row) => row.runs > 0);
}

// ---------------------------------------------------------------------------------------------------
// An experiment against the bench.

export interface NormalisedPoint {
  seq: number;
  /** Best-so-far score / table optimum, exactly as the bench's replay computes its curve. */
  best: number;
  /** The best objective so far in the experiment's units (undefined before any success). */
  bestObjective?: number;
  bestSeq?: number;
  /** This trial's own objective, and as a fraction of the optimum (succeeded trials only). */
  objective?: number;
  normalised?: number;
}

/**
 * An experiment's convergence normalised like a bench curve: after each finished trial, the best score
 * so far divided by the table's optimum (0 before any success) — the bench's `normalisedBest`, so an
 * experiment that tries the configurations a bench run tried draws the very same curve.
 */
export function normaliseConvergence(
  points: readonly ConvergencePoint[],
  goal: Goal,
  optimum: number,
): NormalisedPoint[] {
  const score = (value: number) => (goal === 'minimize' ? -value : value);
  return points.map((p) => {
    const point: NormalisedPoint = {
      seq: p.seq,
      best: normalisedBest(p.best === undefined ? Number.NEGATIVE_INFINITY : score(p.best), optimum),
    };
    if (p.best !== undefined) point.bestObjective = p.best;
    if (p.bestSeq !== undefined) point.bestSeq = p.bestSeq;
    if (p.objective !== undefined) {
      point.objective = p.objective;
      point.normalised = normalisedBest(score(p.objective), optimum);
    }
    return point;
  });
}
