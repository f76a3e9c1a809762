/**
 * Pure data transforms behind the dashboard's tables and charts: no DOM, no ECharts, so that they are
 * unit-tested on Node and shared by the live dashboard and the static report.
 */
import type { ParameterSpec, ParameterValue } from '../space/parameter.js';
import { enumerateValues } from '../space/parameter-values.js';
import { parseQuantity } from '../space/quantity.js';
import type { ExperimentRecord, TrialRecord, TrialStatus } from '../store/records.js';

export type Goal = 'maximize' | 'minimize';

const FINISHED: ReadonlySet<TrialStatus> = new Set(['succeeded', 'infeasible', 'failed']);

export function isFinished(trial: Pick<TrialRecord, 'status'>): boolean {
  return FINISHED.has(trial.status);
}

/** A trial's objective oriented so that larger is better (the stored score, or derived from the goal). */
export function scoreOf(trial: Pick<TrialRecord, 'score' | 'objective'>, goal: Goal): number | undefined {
  if (trial.score !== undefined && Number.isFinite(trial.score)) return trial.score;
  if (trial.objective === undefined || !Number.isFinite(trial.objective)) return undefined;
  return goal === 'minimize' ? -trial.objective : trial.objective;
}

function measured(trial: TrialRecord, goal: Goal): number | undefined {
  return trial.status === 'succeeded' && trial.objective !== undefined && Number.isFinite(trial.objective)
    ? scoreOf(trial, goal)
    : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Convergence: best objective so far against the trial number.

export interface ConvergencePoint {
  seq: number;
  status: TrialStatus;
  /** The trial's own objective (succeeded trials only). */
  objective?: number;
  /** The best objective among finished trials numbered up to this one. */
  best?: number;
  /** Which trial holds `best`. */
  bestSeq?: number;
}

/** Finished trials in trial-number order, each with the best objective among trials numbered up to it. */
export function convergence(trials: readonly TrialRecord[], goal: Goal): ConvergencePoint[] {
  const finished = trials.filter(isFinished).sort((a, b) => a.seq - b.seq);
  let best: TrialRecord | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  return finished.map((trial) => {
    const score = measured(trial, goal);
    if (score !== undefined && score > bestScore) {
      best = trial;
      bestScore = score;
    }
    const point: ConvergencePoint = { seq: trial.seq, status: trial.status };
    if (score !== undefined) point.objective = trial.objective;
    if (best) {
      point.best = best.objective;
      point.bestSeq = best.seq;
    }
    return point;
  });
}

// ---------------------------------------------------------------------------------------------------
// Knob values and ordering.

/** Above this many values an axis lists only the values that were measured. */
export const MAX_AXIS_VALUES = 64;

function valueCount(spec: ParameterSpec): number {
  const { min, max, step, list } = spec.feasibleSpace;
  if (list) return list.length;
  if (min === undefined || max === undefined) return Number.POSITIVE_INFINITY;
  return Math.floor((max - min) / (step ?? 1) + 1e-9) + 1;
}

/** Numeric magnitude of a knob value (`500m` → 0.5, `1Gi` → 1073741824), or undefined for names. */
export function magnitude(value: ParameterValue): number | undefined {
  return parseQuantity(value);
}

/** Orders knob values: by magnitude when both are numbers or quantities, else by text. */
export function compareValues(a: ParameterValue, b: ParameterValue): number {
  const x = magnitude(a);
  const y = magnitude(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return String(a).localeCompare(String(b));
}

/**
 * A knob's values as axis labels, in search order: the whole feasible space when it is small, the
 * measured values otherwise; values found in trials but not in the space are appended.
 */
export function knobValues(
  name: string,
  parameters: readonly ParameterSpec[],
  trials: readonly TrialRecord[],
): string[] {
  const spec = parameters.find((p) => p.name === name);
  const seen = new Set<string>();
  const values: string[] = [];
  const add = (value: ParameterValue) => {
    const key = String(value);
    if (!seen.has(key)) {
      seen.add(key);
      values.push(key);
    }
  };
  if (spec && valueCount(spec) <= MAX_AXIS_VALUES) {
    for (const value of enumerateValues(spec)) add(value);
    const extra = trials.map((t) => t.config[name]).filter((v): v is ParameterValue => v !== undefined);
    for (const value of extra.sort(compareValues)) add(value);
    return values;
  }
  const found = trials.map((t) => t.config[name]).filter((v): v is ParameterValue => v !== undefined);
  for (const value of found.sort(compareValues)) add(value);
  return values;
}

/** The knob names of an experiment: the space's parameters, else the keys of the trials' configs. */
export function knobNames(parameters: readonly ParameterSpec[], trials: readonly TrialRecord[]): string[] {
  if (parameters.length > 0) return parameters.map((p) => p.name);
  const names: string[] = [];
  for (const trial of trials)
    for (const key of Object.keys(trial.config)) if (!names.includes(key)) names.push(key);
  return names;
}

/** Knobs with more than one value: the ones worth a heatmap axis. */
export function variableKnobs(
  parameters: readonly ParameterSpec[],
  trials: readonly TrialRecord[],
): string[] {
  return knobNames(parameters, trials).filter((name) => knobValues(name, parameters, trials).length > 1);
}

// ---------------------------------------------------------------------------------------------------
// Heatmap: the objective over two knobs, best over the others.

export interface HeatmapCell {
  /** Index into `x`. */
  x: number;
  /** Index into `y`. */
  y: number;
  /** Best objective measured at this (x, y) over the other knobs. */
  objective: number;
  /** The trial that measured it. */
  seq: number;
  /** How many succeeded trials share this cell. */
  trials: number;
}

export interface FailedCell {
  x: number;
  y: number;
  /** Every finished trial in the cell was infeasible or failed; the most common status of them. */
  status: 'infeasible' | 'failed';
  trials: number;
}

export interface Heatmap {
  xKnob: string;
  yKnob: string;
  x: string[];
  y: string[];
  cells: HeatmapCell[];
  failed: FailedCell[];
  min?: number;
  max?: number;
}

/**
 * Measured configurations only: each cell is the best objective (by the experiment's goal) of the
 * succeeded trials with that (x, y), whatever their other knobs. Cells where every finished trial was
 * infeasible or failed are listed apart; cells with no finished trial are absent.
 */
export function heatmap(
  trials: readonly TrialRecord[],
  parameters: readonly ParameterSpec[],
  xKnob: string,
  yKnob: string,
  goal: Goal,
): Heatmap {
  const finished = trials.filter(isFinished);
  const x = knobValues(xKnob, parameters, finished);
  const y = knobValues(yKnob, parameters, finished);
  const xIndex = new Map(x.map((v, i) => [v, i]));
  const yIndex = new Map(y.map((v, i) => [v, i]));
  const best = new Map<string, { cell: HeatmapCell; score: number }>();
  const failures = new Map<string, FailedCell & { infeasible: number }>();
  for (const trial of finished) {
    const xi = xIndex.get(String(trial.config[xKnob]));
    const yi = yIndex.get(String(trial.config[yKnob]));
    if (xi === undefined || yi === undefined) continue;
    const key = `${xi},${yi}`;
    const score = measured(trial, goal);
    if (score === undefined) {
      const entry = failures.get(key) ?? { x: xi, y: yi, status: 'failed', trials: 0, infeasible: 0 };
      entry.trials += 1;
      if (trial.status === 'infeasible') entry.infeasible += 1;
      entry.status = entry.infeasible * 2 >= entry.trials ? 'infeasible' : 'failed';
      failures.set(key, entry);
      continue;
    }
    const current = best.get(key);
    const count = (current?.cell.trials ?? 0) + 1;
    if (!current || score > current.score) {
      best.set(key, {
        cell: { x: xi, y: yi, objective: trial.objective as number, seq: trial.seq, trials: count },
        score,
      });
    } else current.cell.trials = count;
  }
  const cells = [...best.values()].map((b) => b.cell).sort((a, b) => a.y - b.y || a.x - b.x);
  const failed = [...failures.entries()]
    .filter(([key]) => !best.has(key))
    .map(([, { infeasible: _, ...cell }]) => cell)
    .sort((a, b) => a.y - b.y || a.x - b.x);
  const objectives = cells.map((c) => c.objective);
  const result: Heatmap = { xKnob, yKnob, x, y, cells, failed };
  if (objectives.length > 0) {
    result.min = Math.min(...objectives);
    result.max = Math.max(...objectives);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Load curve: what the peak search measured at each offered load.

export interface LoadPoint {
  offeredRps: number;
  achievedRps: number;
  p99Ms?: number;
  /** Latency at the SLO's percentile. */
  sloPercentileMs?: number;
  errorRate?: number;
  sloMet?: boolean;
  stable?: boolean;
  /** Position in the order the peak search measured the levels (1-based). */
  order: number;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A trial's load curve as points sorted by offered load. Levels the load generator discarded (it fell
 * behind its schedule and measured the level again) and malformed entries are left out.
 */
export function loadCurvePoints(curve: readonly unknown[] | undefined): LoadPoint[] {
  if (!Array.isArray(curve)) return [];
  const points: LoadPoint[] = [];
  curve.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object') return;
    const level = entry as Record<string, unknown>;
    if (level.discarded === true) return;
    const offeredRps = finite(level.offeredRps);
    const achievedRps = finite(level.achievedRps);
    if (offeredRps === undefined || achievedRps === undefined) return;
    const point: LoadPoint = { offeredRps, achievedRps, order: index + 1 };
    const p99Ms = finite(level.p99Ms);
    if (p99Ms !== undefined) point.p99Ms = p99Ms;
    const sloPercentileMs = finite(level.sloPercentileMs);
    if (sloPercentileMs !== undefined) point.sloPercentileMs = sloPercentileMs;
    const errorRate = finite(level.errorRate);
    if (errorRate !== undefined) point.errorRate = errorRate;
    if (typeof level.sloMet === 'boolean') point.sloMet = level.sloMet;
    if (typeof level.stable === 'boolean') point.stable = level.stable;
    points.push(point);
  });
  return points.sort((a, b) => a.offeredRps - b.offeredRps || a.order - b.order);
}

// ---------------------------------------------------------------------------------------------------
// The trial table.

export type SortDirection = 'asc' | 'desc';

/** `seq`, `status`, `objective`, `attempt`, `duration`, `error`, `config:<knob>` or `metric:<name>`. */
export type SortKey = string;

const STATUS_ORDER: Record<TrialStatus, number> = {
  running: 0,
  pending: 1,
  succeeded: 2,
  infeasible: 3,
  failed: 4,
};

/** Seconds from start to finish, when both are known. */
export function durationSeconds(trial: Pick<TrialRecord, 'startedAt' | 'finishedAt'>): number | undefined {
  if (!trial.startedAt || !trial.finishedAt) return undefined;
  const ms = Date.parse(trial.finishedAt) - Date.parse(trial.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

function sortValue(trial: TrialRecord, key: SortKey): ParameterValue | undefined {
  if (key === 'seq') return trial.seq;
  if (key === 'status') return STATUS_ORDER[trial.status];
  if (key === 'objective') return trial.objective;
  if (key === 'attempt') return trial.attempt;
  if (key === 'duration') return durationSeconds(trial);
  if (key === 'error') return trial.errorMessage;
  if (key.startsWith('config:')) return trial.config[key.slice('config:'.length)];
  if (key.startsWith('metric:')) return trial.metrics?.[key.slice('metric:'.length)];
  return undefined;
}

/**
 * Trials sorted by a column. Missing values sort last in either direction; ties keep trial-number
 * order. Knob values sort by magnitude (`500m` before `1`), names alphabetically.
 */
export function sortTrials(
  trials: readonly TrialRecord[],
  key: SortKey,
  direction: SortDirection,
): TrialRecord[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...trials].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const missingX = x === undefined || (typeof x === 'number' && Number.isNaN(x));
    const missingY = y === undefined || (typeof y === 'number' && Number.isNaN(y));
    if (missingX || missingY) {
      if (missingX && missingY) return a.seq - b.seq;
      return missingX ? 1 : -1;
    }
    return sign * compareValues(x as ParameterValue, y as ParameterValue) || a.seq - b.seq;
  });
}

// ---------------------------------------------------------------------------------------------------
// Experiment documents and formatting.

interface DocumentShape {
  spec?: {
    maxNumTrials?: number;
    parallelism?: number;
    objective?: { type?: string; objectiveMetricName?: string };
    algorithm?: { algorithmName?: string };
    runner?: { name?: string };
    slo?: { percentile?: number; latencyMs?: number; maxErrorRate?: number };
  };
}

/** The fields of a stored experiment document the UI shows (all optional: documents are unknown). */
export function documentFacts(experiment: Pick<ExperimentRecord, 'document'>): {
  budget?: number;
  parallelism?: number;
  metric?: string;
  goal?: Goal;
  algorithm?: string;
  runner?: string;
  slo?: { percentile?: number; latencyMs?: number; maxErrorRate?: number };
} {
  const spec = (experiment.document as DocumentShape | null | undefined)?.spec;
  const type = spec?.objective?.type;
  return {
    budget: spec?.maxNumTrials,
    parallelism: spec?.parallelism,
    metric: spec?.objective?.objectiveMetricName,
    goal: type === 'minimize' || type === 'maximize' ? type : undefined,
    algorithm: spec?.algorithm?.algorithmName,
    runner: spec?.runner?.name,
    slo: spec?.slo,
  };
}

/** Four significant digits, exponents for very large or small values, `—` for nothing. */
export function formatNumber(value: number | undefined, digits = 4): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && (Math.abs(value) >= 1e7 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  const rounded = Number(value.toPrecision(digits));
  return Math.abs(rounded) >= 10_000 ? rounded.toLocaleString('en-US') : String(rounded);
}

export function formatPercent(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${formatNumber(value * 100, 3)}%`;
}

/** `12.3 s`, `4 min 5 s`, `1 h 2 min`. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${formatNumber(seconds, 3)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long ago `iso` was, relative to `now`: `just now`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function timeAgo(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const seconds = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** `2024-05-01 13:04:05` in local time. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Human names of the measured metrics, in the order the UI lists them. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  rps: 'Peak RPS',
  samplesPerSec: 'Samples/s',
  p50Ms: 'p50 latency (ms)',
  p90Ms: 'p90 latency (ms)',
  p95Ms: 'p95 latency (ms)',
  p99Ms: 'p99 latency (ms)',
  maxMs: 'Max latency (ms)',
  errorRate: 'Error rate',
  cpuSeconds: 'CPU time (s)',
  rssMiB: 'Peak RSS (MiB)',
  gpuMemMiB: 'GPU memory (MiB)',
};

/** A metric's value for display: error rates as percentages, the rest as numbers. */
export function formatMetric(name: string, value: number | undefined): string {
  return name === 'errorRate' ? formatPercent(value) : formatNumber(value);
}

/** `cpu=500m MAX_BATCH_SIZE=4`. */
export function formatConfig(config: Readonly<Record<string, ParameterValue>>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
