/**
 * What one trial measured. The load generator fills it from a live instance; the replay runner reads it
 * from a profile table. Field names are the profile-table `metrics` names (architecture.md), so a
 * measurement round-trips through a table unchanged. Extra numeric metrics are allowed.
 */
/** The metrics a load test or a runner measures, in the order reports show them. */
export const MEASURED_METRICS = [
  'rps',
  'samplesPerSec',
  'p50Ms',
  'p90Ms',
  'p95Ms',
  'p99Ms',
  'errorRate',
  'cpuSeconds',
  'rssMiB',
  'gpuMemMiB',
] as const;

export interface Measurement {
  /** Peak requests per second sustained under the latency SLO. */
  rps: number;
  /** Peak samples (batch items) per second: rps x items per request. */
  samplesPerSec?: number;
  p50Ms?: number;
  p90Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Slowest successful request at the peak. */
  maxMs?: number;
  /** Fraction of requests that failed at the peak, 0..1. */
  errorRate?: number;
  /** CPU time the serving instance used during the trial. */
  cpuSeconds?: number;
  /** Peak resident memory of the serving instance. */
  rssMiB?: number;
  gpuMemMiB?: number;
  [metric: string]: number | undefined;
}
