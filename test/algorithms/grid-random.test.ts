import { describe, expect, it } from 'vitest';
import { grid } from '../../src/algorithms/grid.js';
import { permutation, random } from '../../src/algorithms/random.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import type { Observation } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE } from '../helpers/synthetic-table.js';

const space = new SearchSpace(SYNTHETIC_SPACE);

describe('grid', () => {
  it('walks the grid in order, skipping what was tried', async () => {
    const algorithm = grid.create({});
    const history: Observation[] = [
      { config: space.configAt(0), status: 'succeeded', score: 1 },
      { config: space.configAt(2), status: 'running' },
    ];
    const next = await algorithm.suggest({ space, history, count: 3 });
    expect(next).toEqual([space.configAt(1), space.configAt(3), space.configAt(4)]);
  });

  it('returns nothing when the space is exhausted', async () => {
    const history = [...space.configs()].map((config) => ({ config, status: 'failed' as const }));
    expect(await grid.create({}).suggest({ space, history, count: 2 })).toEqual([]);
  });
});

describe('random', () => {
  it('is a permutation: every index once', () => {
    const seen = [...permutation(1000, 3)];
    expect(new Set(seen).size).toBe(1000);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(999);
    expect(seen.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const draw = (seed: number) => random.create({ seed }).suggest({ space, history: [], count: 10 });
    expect(await draw(7)).toEqual(await draw(7));
    expect(await draw(7)).not.toEqual(await draw(8));
  });

  it('never repeats a configuration already done or running, and continues the same sequence', async () => {
    const algorithm = random.create({ seed: 11 });
    const first = await algorithm.suggest({ space, history: [], count: 20 });
    const history: Observation[] = first
      .slice(0, 5)
      .map((config, i) => ({ config, status: i % 2 ? 'running' : 'succeeded' }));
    const next = await algorithm.suggest({ space, history, count: 15 });
    expect(next).toEqual(first.slice(5));
    const all = [...first.slice(0, 5), ...next].map((c) => space.key(c));
    expect(new Set(all).size).toBe(20);
  });

  it('handles a very large space lazily', async () => {
    const big = new SearchSpace([
      { name: 'a', category: 'env', parameterType: 'int', feasibleSpace: { min: 1, max: 2000 } },
      { name: 'b', category: 'env', parameterType: 'int', feasibleSpace: { min: 1, max: 2000 } },
    ]);
    const started = performance.now();
    const configs = await random.create({ seed: 1 }).suggest({ space: big, history: [], count: 5 });
    expect(configs).toHaveLength(5);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is found in the registry by name', () => {
    expect(findAlgorithm('random')).toBe(random);
    expect(findAlgorithm('toString')).toBeUndefined();
  });
});
