import { MEASURED_METRICS } from '../loadgen/measurement.js';
import type { Config } from '../space/parameter.js';
import type { TrialRecord } from '../store/records.js';

/** Columns padded to their widest cell. Hand-written: a dozen lines, no table library needed. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatNumber(value: number | undefined, digits = 4): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(digits)));
}

export function formatConfig(config: Config): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** One line per finished trial, for progress output. */
export function formatTrialLine(
  trial: TrialRecord,
  done: number,
  budget: number,
  best?: TrialRecord,
): string {
  const result =
    trial.status === 'succeeded'
      ? `objective=${formatNumber(trial.objective)} rps=${formatNumber(trial.metrics?.rps)} p99=${formatNumber(trial.metrics?.p99Ms)}ms`
      : `${trial.errorClass ?? ''}: ${trial.errorMessage ?? ''}`;
  const bestText = best ? `  best #${best.seq} ${formatNumber(best.objective)}` : '';
  return `[${done}/${budget}] trial #${trial.seq} ${formatConfig(trial.config)} → ${trial.status} ${result}${bestText}`;
}

/** Metric columns of result tables. */
export const METRIC_COLUMNS = MEASURED_METRICS;
