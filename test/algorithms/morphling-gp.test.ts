import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { morphlingGp } from '../../src/algorithms/morphling-gp.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { disposeParams, predict } from '../../src/metamodel/mlp.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { loadMetamodel } from '../../src/metamodel/weights-file.js';
import type { Observation } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE } from '../helpers/synthetic-table.js';
import { searchTable } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';
import {
  fallbackRun,
  savePooledAndMislabelled,
  saveUntrained2x128,
  suggestionTimes,
} from './network-helpers.js';

const objective = taskObjective('rps_per_cost');
const dir = mkdtempSync(join(tmpdir(), 'morphling-gp-'));
const pooledPath = join(dir, 'pooled.json');
const mamlPath = join(dir, 'maml.json');

beforeAll(async () => {
  await ensureBackend();
  await savePooledAndMislabelled(pooledPath, mamlPath);
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
    await saveUntrained2x128(big, 'pooled');
    const times = await suggestionTimes(create({ metamodel: big }));
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
    const algorithm = morphlingGp.create(morphlingGp.settings.parse({}));
    const { warnings, distinct } = await fallbackRun(algorithm, new SearchSpace(SYNTHETIC_SPACE));
    expect(distinct).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/plain Bayesian optimisation/);
  });

  it('refuses a MAML meta-model, pointing at morphling', async () => {
    await expect(
      create({ metamodel: mamlPath }).suggest({ space: familySpace, history: [], count: 1 }),
    ).rejects.toThrow(
      /is a "maml" network; algorithm morphling-gp expects a "pooled" one \(use algorithm morphling\)/,
    );
  });
});
