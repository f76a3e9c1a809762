import type { Slo } from './options.js';
import { throughput, type WindowStats } from './window.js';

/**
 * Whether consecutive windows agree closely enough to trust their average: throughput and the SLO
 * percentile each spread by at most `tolerance` of their mean.
 *
 * Two allowances keep the test meaningful rather than merely strict:
 * - throughput may also differ by what counting alone explains (about sqrt(n) requests per window), or
 *   short windows at low rates could never agree;
 * - latencies below the SLO bound only need to agree within `tolerance` of the bound: whether p99 is 3 or
 *   4 ms says nothing about meeting a 50 ms SLO, and the p99 of a short window is close to its maximum.
 */
export function windowsAgree(windows: readonly WindowStats[], tolerance: number, slo: Slo): boolean {
  if (windows.length === 0) return false;
  const rates = windows.map(throughput);
  const meanRate = mean(rates);
  const meanCount = mean(windows.map((window) => window.successes));
  const meanDurationMs = mean(windows.map((window) => window.durationMs));
  const countingNoise = meanDurationMs > 0 ? (Math.max(1, Math.sqrt(meanCount)) * 1000) / meanDurationMs : 0;
  if (spread(rates) > Math.max(tolerance * meanRate, countingNoise)) return false;

  const latencies = windows.map((window) => window.latency.percentileMs(slo.percentile));
  if (clearlyWithin(latencies, slo)) return true;
  return spread(latencies) <= tolerance * Math.max(mean(latencies), slo.latencyMs);
}

/**
 * Every window's percentile is at most half the bound, and they are not climbing (a queue building up):
 * the verdict "meets the SLO" is then certain however much they scatter. Near the knee the p99 of a
 * 150 ms window jumps between 7 and 40 ms under a 100 ms bound, and insisting on agreement there only
 * bought extra windows, never a different verdict.
 */
function clearlyWithin(latencies: readonly number[], slo: Slo): boolean {
  const climbing = latencies.every((value, i) => i === 0 || value > (latencies[i - 1] as number));
  const first = latencies[0] as number;
  const last = latencies[latencies.length - 1] as number;
  return Math.max(...latencies) <= slo.latencyMs / 2 && !(climbing && last >= 2 * first);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function spread(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}
