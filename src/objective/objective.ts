import { InfeasibleConfigError } from '../errors.js';
import { MEASURED_METRICS, type Measurement } from '../loadgen/measurement.js';
import type { Config } from '../space/parameter.js';
import { costPerHour, type Pricing } from './pricing.js';

export type Goal = 'maximize' | 'minimize';

/** Metrics an objective can name: measured ones, and ones derived from a measurement and its config. */
export const OBJECTIVE_METRICS = [...MEASURED_METRICS, 'qps', 'rps_per_cost', 'samples_per_cost'] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];

export interface Slo {
  /** Latency percentile the bound applies to (99 = p99). */
  percentile: number;
  latencyMs: number;
  /** Highest acceptable fraction of failed requests. */
  maxErrorRate: number;
}

export interface Constraints {
  maxMemoryMiB?: number;
}

export interface Objective {
  goal: Goal;
  metric: ObjectiveMetric;
  pricing: Pricing;
  slo: Slo;
  constraints: Constraints;
}

/** The objective's value for a measured configuration. */
export function objectiveValue(objective: Objective, measurement: Measurement, config: Config): number {
  const cost = () => costPerHour(objective.pricing, config);
  switch (objective.metric) {
    case 'qps':
      return measurement.rps;
    case 'rps_per_cost':
      return measurement.rps / cost();
    case 'samples_per_cost':
      return (measurement.samplesPerSec ?? measurement.rps) / cost();
    default: {
      const value = measurement[objective.metric];
      if (value === undefined) throw new Error(`the measurement has no "${objective.metric}" metric`);
      return value;
    }
  }
}

/** Larger is better: what algorithms compare, whichever way the objective points. */
export function score(goal: Goal, value: number): number {
  return goal === 'maximize' ? value : -value;
}

/**
 * Throws `InfeasibleConfigError` when a measurement breaks the SLO, the error-rate bound or a
 * resource constraint. A peak search only reports loads that met the SLO, but recorded tables and
 * other runners may hold measurements that did not.
 */
export function checkConstraints(objective: Objective, measurement: Measurement): void {
  const { slo, constraints } = objective;
  const latency = measurement[`p${slo.percentile}Ms`];
  if (latency !== undefined && latency > slo.latencyMs) {
    throw new InfeasibleConfigError(
      `p${slo.percentile} latency ${round(latency)} ms exceeds the SLO of ${slo.latencyMs} ms`,
    );
  }
  if (measurement.errorRate !== undefined && measurement.errorRate > slo.maxErrorRate) {
    throw new InfeasibleConfigError(
      `error rate ${round(measurement.errorRate * 100)}% exceeds the bound of ${round(slo.maxErrorRate * 100)}%`,
    );
  }
  if (constraints.maxMemoryMiB !== undefined && (measurement.rssMiB ?? 0) > constraints.maxMemoryMiB) {
    throw new InfeasibleConfigError(
      `peak memory ${round(measurement.rssMiB ?? 0)} MiB exceeds the bound of ${constraints.maxMemoryMiB} MiB`,
    );
  }
  if (!(measurement.rps > 0)) throw new InfeasibleConfigError('no request met the SLO (peak rps is 0)');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
