import { describe, expect, it } from 'vitest';
import type { SuggestContext } from '../../src/algorithms/algorithm.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { benchObjective } from '../../src/bench/objectives.js';
import { replay, tableOracle } from '../../src/bench/replay.js';
import { searchCostTable } from '../../src/bench/report.js';
import type { RunRecord } from '../../src/bench/run.js';
import type { BenchListing, SourcedRun } from '../../src/bench/run-schema.js';
import { PROFILE_FORMAT, ProfileTable } from '../../src/profile/table.js';
import type { Config } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';
import type { TrialRecord } from '../../src/store/records.js';
import { benchCurvesOption, overlayConvergenceOption } from '../../src/ui/bench-chart-options.js';
import {
  benchCurves,
  mergeRuns,
  normaliseConvergence,
  quantile,
  searchCostRows,
  selectRuns,
  tablesOf,
} from '../../src/ui/bench-data.js';
import { convergence } from '../../src/ui/data.js';
import { SYNTHETIC_SPACE, syntheticRows } from '../helpers/synthetic-table.js';

/** A run as runs.jsonl has it; the curve is best-so-far / optimum after each trial. */
function run(algorithm: string, curve: number[], extra: Partial<SourcedRun> = {}): SourcedRun {
  return {
    objective: 'rps',
    table: 't1',
    family: 'f',
    algorithm,
    seed: 1,
    cornerOptimum: false,
    curve,
    budget: 10,
    reachedOptimum: curve[curve.length - 1] === 1,
    ended: curve[curve.length - 1] === 1 ? 'optimum' : 'budget',
    source: 0,
    ...extra,
  };
}

const listing = (runs: SourcedRun[], files = 1): BenchListing => ({
  sources: Array.from({ length: files }, (_, i) => ({
    path: `b${i}/runs.jsonl`,
    runs: 0,
    invalid: 0,
    problems: [],
  })),
  runs,
});

describe('bench runs', () => {
  it('counts a run repeated in a later file once, and keeps every run of a chosen file', () => {
    const runs = [
      run('random', [0.5, 1]),
      run('random', [0.2, 1], { seed: 2 }),
      run('random', [0.9, 1], { source: 1 }), // the same search as the first: left out
      run('bo', [0.7, 1], { source: 1 }),
      run('random', [0.3, 1], { source: 1, table: 't2' }),
    ];
    const all = mergeRuns(listing(runs, 2));
    expect(all.repeated).toBe(1);
    expect(all.runs.map((r) => [r.algorithm, r.table, r.seed, r.source])).toEqual([
      ['random', 't1', 1, 0],
      ['random', 't1', 2, 0],
      ['bo', 't1', 1, 1],
      ['random', 't2', 1, 1],
    ]);
    expect(mergeRuns(listing(runs, 2), 1)).toEqual({ runs: runs.slice(2), repeated: 0 });
  });

  it('lists the tables of an objective and leaves corner-optimum tables out of the aggregate unless asked', () => {
    const runs = [
      run('random', [1]),
      run('random', [1], { table: 'corner', cornerOptimum: true }),
      run('random', [1], { objective: 'rps_per_cost', table: 'other' }),
    ];
    expect(tablesOf(runs, 'rps')).toEqual([
      { table: 't1', family: 'f', cornerOptimum: false, runs: 1 },
      { table: 'corner', family: 'f', cornerOptimum: true, runs: 1 },
    ]);
    const pick = (table: string | undefined, includeCorner: boolean) =>
      selectRuns(runs, { objective: 'rps', table, includeCorner }).map((r) => r.table);
    expect(pick(undefined, false)).toEqual(['t1']);
    expect(pick(undefined, true)).toEqual(['t1', 'corner']);
    expect(pick('corner', false)).toEqual(['corner']);
  });
});

describe('mean curves and bands', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25);
    expect(quantile([5], 0.25)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('averages best-so-far per trial over runs; a run that stopped at the optimum stays at 1', () => {
    const runs = [
      run('random', [0.2, 0.6, 1]),
      run('random', [0.4, 0.4, 0.8, 0.8], { seed: 2 }),
      run('random', [0, 0.5, 0.5, 1], { seed: 3 }),
      run('random', [1], { seed: 4 }),
      run('bo', [0.5, 1]),
    ];
    const [bo, random] = benchCurves(runs, 4, 'iqr');
    expect(random?.algorithm).toBe('random');
    expect(random?.runs).toBe(4);
    expect(random?.tables).toBe(1);
    // After trial 2: 0.6, 0.4, 0.5, 1 → mean 0.625, quartiles of [0.4, 0.5, 0.6, 1] are 0.475 and 0.7.
    expect(random?.points[1]).toEqual({
      trial: 2,
      mean: 0.625,
      low: expect.closeTo(0.475, 12),
      high: expect.closeTo(0.7, 12),
    });
    // After trial 4, the first run (done at trial 3) and the fourth (done at trial 1) count as 1.
    expect(random?.points[3]?.mean).toBeCloseTo((1 + 0.8 + 1 + 1) / 4, 12);
    expect(bo?.points.map((p) => p.mean)).toEqual([0.5, 1, 1, 1]);

    const [minmax] = benchCurves(runs, 2, 'minmax', ['random']);
    expect(minmax?.points.map((p) => [p.low, p.high])).toEqual([
      [0, 1],
      [0.4, 1],
    ]);
    const [none] = benchCurves(runs, 1, 'none', ['random']);
    expect(none?.points[0]).toEqual({ trial: 1, mean: 0.4, low: 0.4, high: 0.4 });
    expect(benchCurves(runs, 3, 'iqr', ['grid'])).toEqual([]);
  });

  it('draws one mean line per algorithm with its band under the same name, so the legend toggles both', () => {
    const runs = [run('random', [0.2, 1]), run('random', [0.5, 1], { seed: 2 }), run('bo', [0.7, 1])];
    const option = benchCurvesOption(benchCurves(runs, 2, 'iqr'), { xMax: 2, band: 'iqr' }) as {
      legend: { data: string[] };
      series: { id: string; name: string; stack?: string }[];
    };
    // In the order report.md lists them.
    expect(option.legend.data).toEqual(['bo', 'random']);
    expect(option.series.map((s) => s.id)).toEqual([
      'mean:bo',
      'low:bo',
      'high:bo',
      'mean:random',
      'low:random',
      'high:random',
    ]);
    expect(new Set(option.series.filter((s) => s.name === 'bo').map((s) => s.stack))).toEqual(
      new Set([undefined, 'band:bo']),
    );
    const plain = benchCurvesOption(benchCurves(runs, 2, 'none'), { xMax: 2, band: 'none' }) as {
      series: { id: string }[];
    };
    expect(plain.series.map((s) => s.id)).toEqual(['mean:bo', 'mean:random']);
  });
});

describe('search cost', () => {
  const runs = [
    run('random', [0.5, 0.92, 0.96, 1]),
    run('random', [0.95, 0.95, 0.95, 0.95, 0.95], { seed: 2, budget: 5 }),
    run('grid', [0.1, 1], { seed: null }),
  ];

  it('gives trials to 90, 95 and 100 % of the optimum: median / max over runs, as report.md does', () => {
    const rows = searchCostRows(runs);
    expect(rows.map((r) => [r.algorithm, r.runs, r.tables, r.reachedOptimum])).toEqual([
      ['random', 2, 1, 1],
      ['grid', 1, 1, 1],
    ]);
    const random = rows[0]?.cells ?? [];
    expect(random.map((c) => c.text)).toEqual(['1.5 / 2', '2 / 3', '>10 / >10']);
    expect(random[2]).toMatchObject({ median: Number.POSITIVE_INFINITY, censored: 1 });
    expect(rows[1]?.cells.map((c) => c.text)).toEqual(['2 / 2', '2 / 2', '2 / 2']);
    // The bench's own Markdown table has the same cells at these thresholds.
    const markdown = searchCostTable(runs as RunRecord[]); // the objective names are the bench's
    expect(markdown).toContain('| random | 2 (1) |');
    for (const cell of random) expect(markdown).toContain(cell.text);
  });
});

describe('an experiment against the bench', () => {
  it('normalises its best-so-far exactly as the bench replays the same search', async () => {
    const space = new SearchSpace(SYNTHETIC_SPACE);
    const header = {
      format: PROFILE_FORMAT as typeof PROFILE_FORMAT,
      model: { name: 'synthetic' },
      space: SYNTHETIC_SPACE,
      synthetic: true,
    };
    const table = new ProfileTable(header, syntheticRows(), space);
    const oracle = tableOracle(table, benchObjective('rps'));
    const grid = findAlgorithm('grid');
    if (!grid) throw new Error('no grid algorithm');
    // Grid search as the bench replays it, recording the configurations it tries.
    const inner = grid.create(grid.settings.parse({}));
    const tried: Config[] = [];
    const recording = {
      suggest: async (context: SuggestContext) => {
        const next = await inner.suggest(context);
        tried.push(...next);
        return next;
      },
    };
    const trajectory = await replay(recording, oracle, { budget: 30, stopAtOptimum: false });
    // The same 30 configurations as the trials of an experiment (infeasible ones without a value).
    const trials: TrialRecord[] = tried.map((config, i) => {
      const observation = oracle.observe(config);
      return {
        id: i + 1,
        experiment: 'e',
        seq: i + 1,
        config: observation.config,
        configKey: space.key(observation.config),
        status: observation.status === 'succeeded' ? 'succeeded' : 'infeasible',
        attempt: 1,
        createdAt: '2024-01-01T00:00:00.000Z',
        ...(observation.status === 'succeeded'
          ? { objective: observation.value, score: observation.score }
          : {}),
      };
    });
    expect(trials.some((t) => t.status === 'infeasible')).toBe(true);
    const points = normaliseConvergence(
      convergence(trials, 'maximize'),
      'maximize',
      oracle.optimum as number,
    );
    expect(points.map((p) => p.best)).toEqual(trajectory.curve);
    const best = points[points.length - 1];
    expect(best?.bestObjective).toBe(Math.max(...trials.map((t) => t.objective ?? 0)));
    expect(points.find((p) => p.objective !== undefined)?.normalised).toBe(
      (trials.find((t) => t.objective !== undefined)?.objective as number) / (oracle.optimum as number),
    );
  });

  it('is 0 before the first success, and overlays the experiment with every algorithm in the legend', () => {
    const points = normaliseConvergence(
      [
        { seq: 1, status: 'failed' },
        { seq: 2, status: 'succeeded', objective: 50, best: 50, bestSeq: 2 },
      ],
      'maximize',
      200,
    );
    expect(points).toEqual([
      { seq: 1, best: 0 },
      { seq: 2, best: 0.25, bestObjective: 50, bestSeq: 2, objective: 50, normalised: 0.25 },
    ]);
    const curves = benchCurves([run('random', [0.2, 1]), run('bo', [0.7, 1])], 2, 'iqr');
    const option = overlayConvergenceOption(points, curves, { metric: 'rps', xMax: 2, band: 'iqr' }) as {
      legend: { data: string[] };
      series: { name: string; data: { seq?: number }[] }[];
    };
    expect(option.legend.data).toEqual(['this experiment', 'trial', 'bo', 'random']);
    // A click on a trial's point opens that trial.
    expect(option.series.find((s) => s.name === 'trial')?.data.map((d) => d.seq)).toEqual([2]);
  });
});
