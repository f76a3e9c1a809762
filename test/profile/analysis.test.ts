import { describe, expect, it } from 'vitest';
import { benchObjective } from '../../src/bench/objectives.js';
import { tableOracle } from '../../src/bench/replay.js';
import {
  knobTrend,
  meanSurfaceOrder,
  optimumOf,
  optimumPosition,
  surfaceRankCorrelation,
} from '../../src/profile/analysis.js';
import { PROFILE_FORMAT, type ProfileRow, ProfileTable } from '../../src/profile/table.js';
import type { Config, ParameterSpec } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';

const SPECS: ParameterSpec[] = [
  { name: 'cpu', category: 'resource', parameterType: 'discrete', feasibleSpace: { list: ['500m', '1'] } },
  {
    name: 'MAX_BATCH_SIZE',
    category: 'env',
    parameterType: 'discrete',
    feasibleSpace: { list: [1, 4, 16] },
  },
];
const space = new SearchSpace(SPECS);
const rps = benchObjective('rps');

/** A table whose rps is `f(config)`; `undefined` makes the row infeasible. */
function table(name: string, f: (cores: number, batch: number) => number | undefined): ProfileTable {
  const rows = [...space.configs()].map((config: Config): ProfileRow => {
    const cores = config.cpu === '1' ? 1 : 0.5;
    const value = f(cores, Number(config.MAX_BATCH_SIZE));
    return value === undefined
      ? { config: { ...config }, status: 'infeasible', metrics: {}, reason: 'too slow' }
      : { config: { ...config }, status: 'succeeded', metrics: { rps: value } };
  });
  return new ProfileTable({ format: PROFILE_FORMAT, model: { name }, space: SPECS }, rows, space);
}

describe('surfaceRankCorrelation', () => {
  it('is 1 for surfaces ordered alike, whatever their scale, and -1 for reversed ones', () => {
    const small = table('small', (cores, batch) => cores * 10 + batch);
    const big = table('big', (cores, batch) => (cores * 10 + batch) * 50);
    const reversed = table('reversed', (cores, batch) => 100 - cores * 10 - batch);
    expect(surfaceRankCorrelation(small, big, rps)).toBeCloseTo(1, 10);
    expect(surfaceRankCorrelation(small, reversed, rps)).toBeCloseTo(-1, 10);
  });

  it('ranks an infeasible configuration below every feasible one', () => {
    // Batch 16 at half a core is infeasible in one model and merely the worst in the other: same order.
    const worst = table('worst', (cores, batch) => cores * 10 + (batch === 16 && cores < 1 ? -5 : batch));
    const infeasible = table('infeasible', (cores, batch) =>
      batch === 16 && cores < 1 ? undefined : cores * 10 + batch,
    );
    expect(surfaceRankCorrelation(worst, infeasible, rps)).toBeCloseTo(1, 10);
  });

  it('is undefined for a flat surface', () => {
    expect(
      surfaceRankCorrelation(
        table('flat', () => 5),
        table('x', (c, b) => c + b),
        rps,
      ),
    ).toBeUndefined();
  });
});

describe('optimumOf', () => {
  it('finds the best configuration per objective', () => {
    // Throughput hardly grows past half a core: the paper's prices (0.2 base + 0.02 per core) then
    // favour half a core, raw throughput a whole one.
    const model = table('m', (cores, batch) => Math.min(cores, 0.52) * 100 * (batch >= 4 ? 2 : 1));
    expect(optimumOf(model, rps)).toEqual({ config: { cpu: '1', MAX_BATCH_SIZE: 4 }, value: 104 });
    const perCost = optimumOf(model, benchObjective('rps_per_cost'));
    expect(perCost?.config.cpu).toBe('500m');
  });

  it('is undefined when nothing is feasible', () => {
    expect(
      optimumOf(
        table('none', () => undefined),
        rps,
      ),
    ).toBeUndefined();
  });
});

describe('knobTrend', () => {
  it('averages each value relative to each model best, so big and small models weigh the same', () => {
    const saturating = (scale: number) =>
      table(`s${scale}`, (cores, batch) => scale * cores * (batch === 1 ? 1 : batch === 4 ? 3 : 3.3));
    const trend = knobTrend([saturating(1), saturating(1000)], 'MAX_BATCH_SIZE', rps);
    expect(trend.map((t) => t.value)).toEqual([1, 4, 16]);
    // Mean over cpu (0.5 and 1) relative to the best (1 core, batch 16 = 3.3).
    expect(trend[0]?.relative).toBeCloseTo((0.75 * 1) / 3.3, 10);
    expect(trend[2]?.relative).toBeCloseTo(0.75, 10);
  });
});

describe('meanSurfaceOrder', () => {
  it('orders configurations by their mean value relative to each model best, infeasible as 0', () => {
    // A big model that peaks at batch 4 and a small one that peaks at batch 16, infeasible at batch 1.
    const big = table('big', (cores, batch) => 1000 * cores * (batch === 4 ? 2 : 1));
    const small = table('small', (cores, batch) => (batch === 1 ? undefined : cores * batch));
    const order = meanSurfaceOrder([big, small], rps);
    // Relative means at 1 core: batch 4 (1 + 0.25) / 2, batch 16 (0.5 + 1) / 2, batch 1 (0.5 + 0) / 2.
    expect(order.slice(0, 3)).toEqual([
      space.key({ cpu: '1', MAX_BATCH_SIZE: 16 }),
      space.key({ cpu: '1', MAX_BATCH_SIZE: 4 }),
      space.key({ cpu: '500m', MAX_BATCH_SIZE: 16 }),
    ]);
    expect(order).toHaveLength(space.size);
    expect(optimumPosition(tableOracle(big, rps), order)).toBe(2);
    expect(optimumPosition(tableOracle(small, rps), order)).toBe(1);
  });
});
