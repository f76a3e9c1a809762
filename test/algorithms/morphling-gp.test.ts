import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { morphlingGp } from '../../src/algorithms/morphling-gp.js';
import { permutation } from '../../src/algorithms/random.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { disposeParams, initMlp, predict } from '../../src/metamodel/mlp.js';
import { FALLBACK_WARNING } from '../../src/metamodel/online.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { trainMetamodel } from '../../src/metamodel/train.js';
import { loadMetamodel, saveMetamodel } from '../../src/metamodel/weights-file.js';
import type { Observation } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE } from '../helpers/synthetic-table.js';
import { observer, searchTable } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';

const objective = taskObjective('rps_per_cost');
const dir = mkdtempSync(join(tmpdir(), 'morphling-gp-'));
const pooledPath = join(dir, 'pooled.json');
const mamlPath = join(dir, 'maml.json');

beforeAll(async () => {
  await ensureBackend();
  // Plain regression on 8 SYNTHETIC training tasks pooled (2 x 32, 600 Adam steps): about a second.
  const tables = [0, 1, 2, 3, 4, 5, 6, 7].map(syntheticTask);
  const pooled = await trainMetamodel(tables, {
    kind: 'pooled',
    objective,
    pooled: { steps: 600, hidden: [32, 32], learningRate: 3e-3 },
  });
  await saveMetamodel(pooledPath, pooled.description, pooled.params);
  await saveMetamodel(mamlPath, { ...pooled.description, kind: 'maml' }, pooled.params);
  disposeParams(pooled.params);
}, 60_000);

const create = (overrides: Record<string, unknown> = {}) =>
  morphlingGp.create(morphlingGp.settings.parse({ metamodel: pooledPath, ...overrides }));

describe('morphling-gp', () => {
  it('is registered; by default no corner design and EI without a margin', () => {
    expect(findAlgorithm('morphling-gp')).toBe(morphlingGp);
    expect(morphlingGp.settings.parse({ xi: '0.02', seed: '3' })).toMatchObject({
      initialDesign: 0,
      xi: 0.02,
      seed: 3,
      metamodel: '',
    });
  });

  it("starts with the network's best configuration", async () => {
    const network = await loadMetamodel(pooledPath, familySpace);
    const configs = [...familySpace.configs()];
    const predictions = predict(
      network.params,
      configs.map((c) => familySpace.encode(c)),
    );
    disposeParams(network.params);
    const top = configs[predictions.indexOf(Math.max(...predictions))];
    const [first] = await create().suggest({ space: familySpace, history: [], count: 1 });
    expect(first && familySpace.key(first)).toBe(top && familySpace.key(top));
  });

  // Held-out SYNTHETIC tasks. Tolerance: the exact optimum within 60 trials (1/12 of the space).
  it('finds the optimum of held-out synthetic tasks, never repeating a configuration', async () => {
    for (const task of [100, 101]) {
      const run = await searchTable(create(), familySpace, syntheticTask(task), objective, 60);
      console.log(
        `synthetic task ${task}: morphling-gp found the optimum after ${run.trialsToOptimum ?? '>60'} trials`,
      );
      const keys = run.history.map((o) => familySpace.key(o.config));
      expect(new Set(keys).size).toBe(keys.length);
      expect(run.trialsToOptimum).toBeDefined();
      expect(run.trialsToOptimum as number).toBeLessThanOrEqual(60);
    }
  });

  it('suggests within ~100 ms on the 720-configuration space with a 2 x 128 network', async () => {
    const big = join(dir, 'pooled-2x128.json');
    const params = initMlp({ inputDim: familySpace.dimension, hidden: [128, 128] }, 2);
    await saveMetamodel(
      big,
      {
        kind: 'pooled',
        date: new Date().toISOString(),
        space: familySpace.toJSON(),
        objective: { metric: 'rps_per_cost', goal: 'maximize' },
        normalisation: 'test',
        models: [],
        settings: {},
        adaptation: { steps: 20, learningRate: 0.05, optimizer: 'sgd' },
        training: {},
      },
      params,
    );
    disposeParams(params);
    const observe = observer(syntheticTask(105), objective);
    const history = [...permutation(familySpace.size, 9)]
      .slice(0, 30)
      .map((i) => observe(familySpace.configAt(i)));
    const algorithm = create({ metamodel: big });
    await algorithm.suggest({ space: familySpace, history, count: 1 }); // loads the file
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await algorithm.suggest({ space: familySpace, history, count: 1 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `morphling-gp suggestion latency, 720 configurations, 2x128, 30 observations: ` +
        `median ${(times[2] as number).toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
    // Target 100 ms; the bound leaves room for a loaded test machine.
    expect(times[2]).toBeLessThan(300);
  });

  it('returns `count` distinct configurations, none already in the history', async () => {
    const history: Observation[] = [];
    const [first, second] = await create().suggest({ space: familySpace, history, count: 2 });
    if (!first || !second) throw new Error('two suggestions expected');
    history.push(
      { config: first, status: 'succeeded', value: 10, score: 10 },
      { config: second, status: 'running' },
    );
    const next = await create().suggest({ space: familySpace, history, count: 3 });
    const keys = [...history.map((o) => o.config), ...next].map((c) => familySpace.key(c));
    expect(next).toHaveLength(3);
    expect(new Set(keys).size).toBe(5);
  });

  it('without a meta-model warns and searches as plain Bayesian optimisation', async () => {
    const space = new SearchSpace(SYNTHETIC_SPACE);
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    try {
      const algorithm = morphlingGp.create(morphlingGp.settings.parse({}));
      const history: Observation[] = [];
      for (let i = 0; i < 4; i++) {
        const [config] = await algorithm.suggest({ space, history, count: 1 });
        if (!config) throw new Error('no suggestion');
        history.push({ config, status: 'succeeded', value: i + 1, score: i + 1 });
      }
      expect(new Set(history.map((o) => space.key(o.config))).size).toBe(4);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    const fallback = warnings.filter((w) => (w as Error & { code?: string }).code === FALLBACK_WARNING);
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.message).toMatch(/plain Bayesian optimisation/);
  });

  it('refuses a MAML meta-model, pointing at morphling', async () => {
    await expect(
      create({ metamodel: mamlPath }).suggest({ space: familySpace, history: [], count: 1 }),
    ).rejects.toThrow(
      /is a "maml" network; algorithm morphling-gp expects a "pooled" one \(use algorithm morphling\)/,
    );
  });
});
