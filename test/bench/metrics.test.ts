import { describe, expect, it } from 'vitest';
import { bestWithin, formatCost, median, searchCost, summariseCosts } from '../../src/bench/metrics.js';
import { budgetTable, searchCostTable } from '../../src/bench/report.js';
import type { RunRecord } from '../../src/bench/run.js';
import { lineChartSvg, ticks } from '../../src/bench/svg.js';

// A hand-made trajectory: no success for two trials (infeasible corners), then 0.5, 0.75, 0.85, 0.95, 1.
const curve = [0, 0, 0.5, 0.75, 0.75, 0.85, 0.95, 1];

describe('search cost', () => {
  it('counts trials, the initial design included, to the first value at or above each threshold', () => {
    expect(searchCost(curve, 0.5)).toBe(3);
    expect(searchCost(curve, 0.7)).toBe(4);
    expect(searchCost(curve, 0.8)).toBe(6);
    expect(searchCost(curve, 0.9)).toBe(7);
    expect(searchCost(curve, 0.95)).toBe(7);
    expect(searchCost(curve, 1)).toBe(8);
    expect(searchCost([0.3, 0.6], 0.7)).toBeUndefined();
    expect(searchCost([], 0.7)).toBeUndefined();
    // 0.7 read back from a division is not below the 70% threshold.
    expect(searchCost([0.1 * 7], 0.7)).toBe(1);
  });

  it('takes the best within a budget, keeping the last value of a run that stopped early', () => {
    expect(bestWithin(curve, 1)).toBe(0);
    expect(bestWithin(curve, 5)).toBe(0.75);
    expect(bestWithin(curve, 30)).toBe(1);
    expect(bestWithin([], 5)).toBe(0);
  });

  it('summarises over runs with runs that never got there as ∞', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([1, 2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
    const s = summariseCosts([4, undefined, 6], [36, 36, 36]);
    expect(s).toMatchObject({ runs: 3, median: 6, max: Number.POSITIVE_INFINITY, censored: 1, budget: 36 });
    expect(formatCost(s.max, s.budget)).toBe('>36');
    expect(formatCost(2.5, 36)).toBe('2.5');
    expect(formatCost(Number.NaN, 36)).toBe('–');
  });

  it('renders the report tables from runs', () => {
    const run = (algorithm: string, values: number[]): RunRecord => ({
      objective: 'rps',
      table: 't',
      family: 'f',
      algorithm,
      seed: 1,
      cornerOptimum: false,
      curve: values,
      budget: 10,
      reachedOptimum: values.at(-1) === 1,
      ended: values.at(-1) === 1 ? 'optimum' : 'budget',
      seconds: 0,
    });
    const runs = [run('a', curve), run('a', [0.7, 1]), run('b', [0.2, 0.4, 0.6])];
    const cost = searchCostTable(runs);
    expect(cost).toContain('| a | 2 (1) | 2.5 / 4 | 4 / 6 | 4.5 / 7 | 4.5 / 7 | 5 / 8 |');
    expect(cost).toContain('| b | 1 (1) | >10 / >10 |');
    const budget = budgetTable(runs);
    expect(budget).toContain('| a | 0.875 (0.750) | 1.000 (1.000) |');
  });

  it('draws an SVG line plot', () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const svg = lineChartSvg({
      title: 'a <b>',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'm',
          points: [
            [1, 0.5],
            [2, 1],
          ],
        },
      ],
      xDomain: [1, 2],
      yDomain: [0, 1],
    });
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<title>a &lt;b&gt;</title>');
    expect(svg).toContain('<polyline');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
