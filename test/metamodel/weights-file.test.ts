import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { disposeParams, predict } from '../../src/metamodel/mlp.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { trainMetamodel } from '../../src/metamodel/train.js';
import { loadMetamodel, METAMODEL_FORMAT, saveMetamodel } from '../../src/metamodel/weights-file.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { FAMILY_SPACE, familySpace, syntheticTask } from './synthetic-family.js';

beforeAll(ensureBackend);

describe('weights file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'morphling-metamodel-'));

  it('round-trips weights, space, objective, models and settings', async () => {
    const trained = await trainMetamodel([syntheticTask(0), syntheticTask(1)], {
      kind: 'maml',
      objective: taskObjective('rps_per_cost'),
      maml: { iterations: 2, hidden: [8, 8], innerSteps: 1 },
    });
    const path = join(dir, 'round-trip.json');
    await saveMetamodel(path, trained.description, trained.params);
    const loaded = await loadMetamodel(path, familySpace);
    expect(loaded).toMatchObject({
      kind: 'maml',
      models: ['synthetic-0', 'synthetic-1'],
      objective: { metric: 'rps_per_cost', goal: 'maximize' },
      architecture: { inputDim: familySpace.dimension, hidden: [8, 8] },
      adaptation: { steps: 20, learningRate: 0.05, optimizer: 'sgd' },
      training: { steps: 2, synthetic: true },
    });
    expect(loaded.settings).toMatchObject({ iterations: 2, innerSteps: 1, order: 'second' });
    expect(loaded.space).toEqual(FAMILY_SPACE);
    expect(new Date(loaded.date).getTime()).not.toBeNaN();
    const points = [0, 100, 700].map((i) => familySpace.encode(familySpace.configAt(i)));
    expect(Array.from(predict(loaded.params, points))).toEqual(Array.from(predict(trained.params, points)));
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe(METAMODEL_FORMAT);
    disposeParams([...loaded.params, ...trained.params]);
  });

  it('refuses a space that encodes differently, naming the difference', async () => {
    const path = join(dir, 'round-trip.json');
    const fewerBatches = new SearchSpace(
      FAMILY_SPACE.map((p) =>
        p.name === 'MAX_BATCH_SIZE' ? { ...p, feasibleSpace: { list: [1, 2, 4, 8, 16, 32, 64] } } : p,
      ),
    );
    const error = await loadMetamodel(path, fewerBatches).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).toMatch(/trained for a different search space/);
    expect((error as Error).message).toMatch(
      /knob "MAX_BATCH_SIZE": trained on values \[1, 2, 4, 8, 16, 32, 64, 128\]/,
    );
    const renamed = new SearchSpace(
      FAMILY_SPACE.map((p) => (p.name === 'cpu' ? { ...p, name: 'cores' } : p)),
    );
    await expect(loadMetamodel(path, renamed)).rejects.toThrow(/knobs differ: trained on \[cpu, gpuMemShare/);
    // The same space spelled differently is the same space.
    const respelled = new SearchSpace(
      FAMILY_SPACE.map((p) =>
        p.name === 'cpu'
          ? { ...p, parameterType: 'discrete', feasibleSpace: { list: ['1', 2, 3, 4, 5] } }
          : p,
      ),
    );
    const loaded = await loadMetamodel(path, respelled);
    disposeParams(loaded.params);
  });

  it('reports unreadable, non-JSON and malformed files as spec errors', async () => {
    await expect(loadMetamodel(join(dir, 'missing.json'))).rejects.toThrow(
      /cannot read the meta-model \(ENOENT\)/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    await expect(loadMetamodel(bad)).rejects.toThrow(/not a meta-model: not JSON/);
    writeFileSync(bad, JSON.stringify({ format: 'something-else' }));
    await expect(loadMetamodel(bad)).rejects.toBeInstanceOf(SpecError);
  });
});
