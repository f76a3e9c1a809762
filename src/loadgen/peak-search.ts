import { InfeasibleConfigError, TrialFaultError } from '../errors.js';
import type { LoadLevel } from './level.js';
import type { SearchSettings, Slo } from './options.js';

/** Measures one offered rate (requests/s). */
export type MeasureLevel = (rate: number) => Promise<LoadLevel>;

export interface SearchOutcome {
  /** Every level measured, in the order measured. */
  levels: LoadLevel[];
  /** The level with the highest achieved throughput among those that met the SLO. */
  peak: LoadLevel;
  /** `precision`: good and bad rates are close enough; otherwise the search ran into a limit. */
  stoppedBy: 'precision' | 'max-rate' | 'level-budget';
}

/**
 * Finds the highest throughput that meets the SLO, knowing nothing about how a level is measured:
 * - ramp up from `initialRate` by `growthFactor` until a level breaks the SLO (or `maxRate` holds);
 * - if even the first level fails, ramp down towards `minRate` until one holds;
 * - bisect between the highest good and the lowest bad offered rate until their relative gap is below
 *   `precision`;
 * - when that lowest bad rate failed while climbing, measure it once more: if it holds this time, climb
 *   on from it and bisect again.
 * The peak is a *measured* achieved throughput, not an offered rate: a server may keep its latency
 * while quietly failing to keep up.
 *
 * Throws `InfeasibleConfigError` when no level meets the SLO, `TrialFaultError` when every request of a
 * level fails in a way that says the target is broken rather than slow.
 */
export async function searchPeak(
  measure: MeasureLevel,
  settings: SearchSettings,
  slo: Slo,
  signal?: AbortSignal,
): Promise<SearchOutcome> {
  const search = new Search(measure, settings, slo, signal);
  let reachedMaxRate = await climb(search, Math.min(settings.initialRate ?? 50, settings.maxRate));
  let rate = search.levels.at(-1)?.offeredRps ?? settings.minRate;
  while (!search.good && search.budgetLeft() && rate > settings.minRate) {
    rate = Math.max(rate / settings.growthFactor, settings.minRate);
    await search.measure(rate);
  }
  if (!search.good) throw infeasible(search.levels, slo);

  for (;;) {
    while (search.gapIsWide() && search.budgetLeft()) await search.measure(search.nextRate());
    // A failure met while climbing (the first level at a new high rate) bounds the peak only once it
    // repeats: such a level can fail for a reason that passes (seen under a CPU quota: p99 0.5 s once,
    // fine from then on), and when every bisection step below it succeeded the peak came out just
    // under twice the initial rate whatever the server could do. A failure found by bisection is the
    // knee's own verdict: measuring it again would only pick the luckier of two coin flips near the
    // bound, and cost a second bisection.
    const bad = search.badRate;
    if (bad === undefined || !search.converged() || !search.budgetLeft()) break;
    if (search.confirmed(bad) || !search.badFromClimb) break;
    if (await search.measure(bad)) reachedMaxRate = await climb(search, bad * settings.growthFactor);
  }

  const peak = search.levels
    .filter((level) => level.sloMet)
    .reduce((best, level) => (level.achievedRps > best.achievedRps ? level : best));
  const stoppedBy = reachedMaxRate ? 'max-rate' : search.converged() ? 'precision' : 'level-budget';
  return { levels: search.levels, peak, stoppedBy };
}

/**
 * Raises the rate geometrically from `rate` until a level breaks the SLO or `maxRate` holds; says
 * whether `maxRate` held.
 */
async function climb(search: Search, rate: number): Promise<boolean> {
  const { maxRate, growthFactor } = search.settings;
  let next = Math.min(rate, maxRate);
  while (search.budgetLeft()) {
    if (!(await search.measure(next, 'climb'))) return false;
    if (next >= maxRate) return true;
    next = Math.min(next * growthFactor, maxRate);
  }
  return false;
}

/** The levels measured so far, and the bracket [good, bad] they establish. */
class Search {
  readonly levels: LoadLevel[] = [];
  /** The highest offered rate that met the SLO. */
  good: LoadLevel | undefined;
  /** The lowest offered rate that broke it. */
  badRate: number | undefined;
  /** A rate worth measuring before the midpoint, from what the last level revealed. */
  private guess: number | undefined;
  /** Whether the current guess is already the one step above a capacity guess. */
  private stepped = false;
  /** Rates that broke the SLO twice. */
  private readonly failedTwice = new Set<number>();
  /** `badRate` failed while climbing to a new high rate, not in bisection. */
  badFromClimb = false;

  constructor(
    private readonly measureLevel: MeasureLevel,
    readonly settings: SearchSettings,
    private readonly slo: Slo,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** `rate` broke the SLO each of the (at least two) times it was measured. */
  confirmed(rate: number): boolean {
    return this.failedTwice.has(rate);
  }

  budgetLeft(): boolean {
    return this.levels.length < this.settings.maxLevels;
  }

  gapIsWide(): boolean {
    return this.good !== undefined && this.badRate !== undefined && !this.converged();
  }

  /** Good and bad rates are known and within `precision` of each other. */
  converged(): boolean {
    if (!this.good || this.badRate === undefined) return false;
    return (this.badRate - this.good.offeredRps) / this.good.offeredRps <= this.settings.precision;
  }

  /**
   * The midpoint of the bracket, unless a guess lies below it:
   * - after a saturated failure (it achieved clearly less than offered), its achieved throughput
   *   estimates the capacity, so try just above that: usually it fails and closes the gap at once;
   * - after a guess succeeded, try one precision step above it, which closes the gap if it fails.
   * Guesses only choose where to measure; the bracket always comes from measurements.
   */
  nextRate(): number {
    const good = (this.good as LoadLevel).offeredRps;
    const middle = (good + (this.badRate as number)) / 2;
    const guess = this.guess;
    return guess !== undefined && guess > good && guess < middle ? guess : middle;
  }

  /** Measures `rate`, updates the bracket, and says whether the level met the SLO. */
  async measure(rate: number, phase: 'climb' | 'bisect' = 'bisect'): Promise<boolean> {
    this.signal?.throwIfAborted();
    const wasGuess = rate === this.guess;
    let level = await this.measureLevel(rate);
    if (!level.sloMet && clientFellBehind(level, this.slo) && this.budgetLeft()) {
      // The client, not the server, was late (a GC pause, a noisy neighbour): its lateness counts as
      // latency, so this verdict is not the server's. Measure the level once more; keep that one.
      this.levels.push({ ...level, discarded: true });
      level = await this.measureLevel(rate);
    }
    throwIfBroken(level, this.levels);
    this.levels.push(level);
    const { precision } = this.settings;
    if (level.sloMet) {
      this.good = level;
      // A rate that failed before and holds now (or a higher one) no longer bounds the search.
      if (this.badRate !== undefined && rate >= this.badRate) this.badRate = undefined;
      // One step above a capacity guess that held, slightly under one precision step so that a failure
      // there leaves a gap the search accepts; after that, plain bisection (never a creeping walk).
      this.guess = wasGuess && !this.stepped ? rate * (1 + 0.99 * precision) : undefined;
      this.stepped = wasGuess && !this.stepped;
    } else {
      if (rate === this.badRate) this.failedTwice.add(rate);
      this.badRate = rate;
      this.badFromClimb = phase === 'climb';
      const saturated = level.achievedRps < rate * (1 - precision);
      this.guess = saturated ? level.achievedRps * (1 + precision / 2) : undefined;
      this.stepped = false;
    }
    return level.sloMet;
  }
}

/** Sending fell behind schedule by more than a tenth of the latency bound (at least 5 ms). */
function clientFellBehind(level: LoadLevel, slo: Slo): boolean {
  return level.maxSendLagMs > Math.max(5, slo.latencyMs / 10);
}

/**
 * A level where nothing succeeded is a fault, not a finding about load, when every failure was a
 * refused or broken connection (nothing is listening), or when the server answered errors from the
 * very first level on (it cannot serve this request at all). Timeouts alone mean "too slow": that is
 * for the SLO to judge.
 */
function throwIfBroken(level: LoadLevel, earlier: readonly LoadLevel[]): void {
  if (level.successes > 0) return;
  const { status, timeout, connection } = level.errors;
  const sample = level.errorSample ? `: ${level.errorSample}` : '';
  if (connection > 0 && status === 0 && timeout === 0) {
    throw new TrialFaultError(
      `every request at ${formatRate(level.offeredRps)} failed to connect${sample}`,
      'unreachable',
    );
  }
  if (status > 0 && !earlier.some((previous) => previous.successes > 0)) {
    throw new TrialFaultError(
      `every request at ${formatRate(level.offeredRps)} failed (${status} error responses)${sample}`,
      'all-errors',
    );
  }
}

/** Explains, from the lowest rate tried, why the SLO could not be met. */
function infeasible(levels: readonly LoadLevel[], slo: Slo): InfeasibleConfigError {
  const counted = levels.filter((level) => !level.discarded);
  const lowest = (counted.length ? counted : levels).reduce((low, level) =>
    level.offeredRps < low.offeredRps ? level : low,
  );
  const at = `even at ${formatRate(lowest.offeredRps)}, the lowest rate tried`;
  const bound = `p${slo.percentile} <= ${slo.latencyMs} ms`;
  if (lowest.successes === 0) {
    const pending =
      lowest.oldestPendingMs > 0
        ? `; a request was still unanswered after ${lowest.oldestPendingMs.toFixed(0)} ms`
        : '';
    return new InfeasibleConfigError(`SLO ${bound} not met: no successful response ${at}${pending}`);
  }
  if (lowest.errorRate > slo.maxErrorRate) {
    return new InfeasibleConfigError(
      `SLO error rate <= ${formatPercent(slo.maxErrorRate)} not met: measured ${formatPercent(lowest.errorRate)} ${at}` +
        (lowest.errorSample ? ` (${lowest.errorSample})` : ''),
    );
  }
  return new InfeasibleConfigError(
    `SLO ${bound} not met: measured p${slo.percentile} = ${lowest.sloPercentileMs.toFixed(1)} ms ${at}`,
  );
}

function formatRate(rate: number): string {
  return `${Number(rate.toPrecision(4))} req/s`;
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
