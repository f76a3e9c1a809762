import { describe, expect, it } from 'vitest';
import { grid } from '../../src/algorithms/grid.js';
import { random } from '../../src/algorithms/random.js';
import { searchCost } from '../../src/bench/metrics.js';
import { benchObjective } from '../../src/bench/objectives.js';
import { replay, tableOracle } from '../../src/bench/replay.js';
import { smallTable } from './small-table.js';

const table = smallTable();
const space = table.space;

describe('replay', () => {
  for (const name of ['rps', 'rps_per_cost', 'rps_per_cost_nocpu'] as const) {
    it(`grid reaches 100% exactly at the optimum's grid index + 1 (${name})`, async () => {
      const oracle = tableOracle(table, benchObjective(name));
      expect(oracle.optimum).toBeGreaterThan(0);
      const indices = [...oracle.optimumKeys].map((key) =>
        space.indexOf(Object.fromEntries(space.parameters.map((p, i) => [p.name, JSON.parse(key)[i]]))),
      );
      const first = Math.min(...indices);
      const trajectory = await replay(grid.create({}), oracle);
      expect(searchCost(trajectory.curve, 1)).toBe(first + 1);
      expect(trajectory.curve).toHaveLength(first + 1);
      expect(trajectory.reachedOptimum).toBe(true);
      expect(trajectory.ended).toBe('optimum');
      expect(trajectory.curve.at(-1)).toBe(1);
      expect(trajectory.curve.slice(0, -1).every((v) => v < 1)).toBe(true);
    });
  }

  it('records a non-decreasing best-so-far, 0 until a trial succeeds, and honours the budget', async () => {
    const oracle = tableOracle(table, benchObjective('rps'));
    const trajectory = await replay(random.create({ seed: 3 }), oracle, { budget: 7, stopAtOptimum: false });
    expect(trajectory.curve).toHaveLength(7);
    expect(trajectory.budget).toBe(7);
    for (let i = 1; i < 7; i++)
      expect(trajectory.curve[i]).toBeGreaterThanOrEqual(trajectory.curve[i - 1] as number);
    expect(new Set(trajectory.tried).size).toBe(7);
  });

  it('treats infeasible rows as trials without a value', () => {
    const oracle = tableOracle(table, benchObjective('rps'));
    const infeasible = table.rows.find((r) => r.status === 'infeasible');
    expect(infeasible).toBeDefined();
    const observation = oracle.observe(infeasible?.config ?? {});
    expect(observation).toMatchObject({ status: 'infeasible' });
    expect(observation.score).toBeUndefined();
    expect(oracle.feasible).toBe(table.rows.filter((r) => r.status === 'succeeded').length);
  });

  it('without stopping, a full grid run ends exhausted with the whole space tried', async () => {
    const oracle = tableOracle(table, benchObjective('rps_per_cost'));
    const trajectory = await replay(grid.create({}), oracle, { stopAtOptimum: false });
    expect(trajectory.curve).toHaveLength(space.size);
    expect(trajectory.ended).toBe('budget');
    expect(trajectory.curve.at(-1)).toBe(1);
  });

  it('refuses an algorithm that suggests a configuration twice', async () => {
    const oracle = tableOracle(table, benchObjective('rps'));
    const stuck = { suggest: () => [space.configAt(0)] };
    await expect(replay(stuck, oracle)).rejects.toThrow(/second time/);
  });
});
