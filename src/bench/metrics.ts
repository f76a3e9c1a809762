/** The thresholds of the paper's search cost (Fig. 6b): fractions of the exhaustive optimum. */
export const THRESHOLDS = [0.7, 0.8, 0.9, 0.95, 1] as const;
/** The budgets of the best-found-vs-budget table (Fig. 6a). */
export const BUDGETS = [5, 10, 15, 20, 30] as const;

/** Rounding slack when comparing a normalised value with a threshold (1 must mean exactly the optimum). */
const SLACK = 1e-12;

/**
 * A best score as a fraction of the optimum (objectives here are ≥ 0; no success yet, -∞, is 0): the
 * y of every bench curve. Here, not in replay.ts, so that the dashboard normalises an experiment's
 * best-so-far with this very function when it overlays the bench curves.
 */
export function normalisedBest(best: number, optimum: number): number {
  if (!Number.isFinite(best)) return 0;
  if (optimum > 0) return Math.max(0, best / optimum);
  return best >= optimum ? 1 : 0;
}

/**
 * Search cost: trials (the initial design included) until the best-so-far reaches `threshold` of the
 * optimum, i.e. the 1-based index of the first curve value ≥ threshold; undefined when it never does.
 */
export function searchCost(curve: readonly number[], threshold: number): number | undefined {
  const index = curve.findIndex((value) => value >= threshold - SLACK);
  return index < 0 ? undefined : index + 1;
}

/**
 * The normalised best after `budget` trials. A run that stopped early (it found the optimum, or the
 * algorithm had nothing left) keeps its last value; no trial yet is 0.
 */
export function bestWithin(curve: readonly number[], budget: number): number {
  if (curve.length === 0 || budget <= 0) return 0;
  return curve[Math.min(budget, curve.length) - 1] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2) return sorted[middle] as number;
  const low = sorted[middle - 1] as number;
  const high = sorted[middle] as number;
  // (∞ + ∞) / 2 is ∞, but (x + ∞) / 2 would hide that half the runs never got there: take ∞.
  return high === Number.POSITIVE_INFINITY ? high : (low + high) / 2;
}

/** Median and max of search costs over runs; a run that never reached the threshold counts as ∞. */
export interface CostSummary {
  runs: number;
  median: number;
  max: number;
  /** Runs that never reached the threshold within their budget. */
  censored: number;
  /** The largest budget among the runs (what "never" means). */
  budget: number;
}

export function summariseCosts(
  costs: readonly (number | undefined)[],
  budgets: readonly number[],
): CostSummary {
  const values = costs.map((c) => c ?? Number.POSITIVE_INFINITY);
  return {
    runs: costs.length,
    median: median(values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    censored: costs.filter((c) => c === undefined).length,
    budget: budgets.length === 0 ? 0 : Math.max(...budgets),
  };
}

/** `17`, or `>720` for "not within the budget", or `–` for no runs. */
export function formatCost(value: number, budget: number): string {
  if (Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return `>${budget}`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
