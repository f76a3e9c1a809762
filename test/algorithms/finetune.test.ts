import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { finetune } from '../../src/algorithms/finetune.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { disposeParams } from '../../src/metamodel/mlp.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { loadMetamodel } from '../../src/metamodel/weights-file.js';
import { searchTable } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';
import { savePooledAndMislabelled } from './network-helpers.js';

const objective = taskObjective('rps_per_cost');
const dir = mkdtempSync(join(tmpdir(), 'morphling-finetune-'));
const pooledPath = join(dir, 'pooled.json');
const mamlPath = join(dir, 'maml.json');

beforeAll(async () => {
  await ensureBackend();
  await savePooledAndMislabelled(pooledPath, mamlPath);
}, 60_000);

describe('finetune', () => {
  it('is registered, shares morphling settings and records a pooled network', async () => {
    expect(findAlgorithm('finetune')).toBe(finetune);
    expect(finetune.settings.parse({ metamodel: pooledPath, fineTuneSteps: '7' })).toMatchObject({
      metamodel: pooledPath,
      fineTuneSteps: 7,
    });
    const loaded = await loadMetamodel(pooledPath, familySpace);
    expect(loaded).toMatchObject({
      kind: 'pooled',
      adaptation: { steps: 20, learningRate: 0.05, optimizer: 'sgd' },
    });
    expect(loaded.settings).toMatchObject({ steps: 600, batchSize: 128 });
    disposeParams(loaded.params);
  });

  // Held-out SYNTHETIC task 101. Tolerance: the exact optimum within 100 trials (1/7 of the space).
  it('finds the optimum of a held-out synthetic task, never repeating a configuration', async () => {
    const algorithm = finetune.create(finetune.settings.parse({ metamodel: pooledPath }));
    const run = await searchTable(algorithm, familySpace, syntheticTask(101), objective, 100);
    console.log(
      `synthetic task 101: finetune found the optimum after ${run.trialsToOptimum ?? '>100'} trials`,
    );
    const keys = run.history.map((o) => familySpace.key(o.config));
    expect(new Set(keys).size).toBe(keys.length);
    expect(run.trialsToOptimum).toBeDefined();
    expect(run.trialsToOptimum as number).toBeLessThanOrEqual(100);
  });

  it('refuses a MAML meta-model, pointing at morphling', async () => {
    const algorithm = finetune.create(finetune.settings.parse({ metamodel: mamlPath }));
    await expect(algorithm.suggest({ space: familySpace, history: [], count: 1 })).rejects.toThrow(
      /is a "maml" network; algorithm finetune expects a "pooled" one \(use algorithm morphling\)/,
    );
  });
});
