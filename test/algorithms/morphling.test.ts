import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cornerDesign } from '../../src/algorithms/initial-design.js';
import { morphling } from '../../src/algorithms/morphling.js';
import { permutation } from '../../src/algorithms/random.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { disposeParams, initMlp } from '../../src/metamodel/mlp.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { trainMetamodel } from '../../src/metamodel/train.js';
import { saveMetamodel } from '../../src/metamodel/weights-file.js';
import type { Observation } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE } from '../helpers/synthetic-table.js';
import { observer, optimum, searchTable } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';
import { fallbackRun, saveUntrained2x128, suggestionTimes } from './network-helpers.js';

const objective = taskObjective('rps_per_cost');
const dir = mkdtempSync(join(tmpdir(), 'morphling-algorithm-'));
const metamodel = join(dir, 'maml-2x32.json');
const pooled = join(dir, 'pooled.json');

beforeAll(async () => {
  await ensureBackend();
  // A small meta-model (2 x 32, 400 iterations) on 8 SYNTHETIC training tasks: a few seconds.
  const tables = [0, 1, 2, 3, 4, 5, 6, 7].map(syntheticTask);
  const trained = await trainMetamodel(tables, {
    kind: 'maml',
    objective,
    maml: { iterations: 400, hidden: [32, 32], innerSteps: 2, seed: 1 },
  });
  console.log(`morphling test meta-model: 400 iterations in ${trained.seconds.toFixed(2)} s`);
  await saveMetamodel(metamodel, trained.description, trained.params);
  disposeParams(trained.params);
  const init = initMlp({ inputDim: familySpace.dimension, hidden: [8] }, 1);
  await saveMetamodel(pooled, { ...trained.description, kind: 'pooled' }, init);
  disposeParams(init);
}, 60_000);

const create = (overrides: Record<string, unknown> = {}) =>
  morphling.create(morphling.settings.parse({ metamodel, ...overrides }));

describe('morphling', () => {
  it('is registered and coerces string settings', () => {
    expect(findAlgorithm('morphling')).toBe(morphling);
    expect(
      morphling.settings.parse({
        delta: '2',
        fineTuneSteps: '5',
        learningRate: '0.1',
        initialDesign: '3',
        seed: '4',
      }),
    ).toMatchObject({
      delta: 2,
      fineTuneSteps: 5,
      learningRate: 0.1,
      initialDesign: 3,
      seed: 4,
      metamodel: '',
    });
    const defaults = morphling.settings.parse({});
    expect(defaults).toMatchObject({
      initialDesign: 4,
      delta: 1,
      feasibilityThreshold: 0.5,
      coverageAttempts: 2,
    });
    expect(defaults.fineTuneSteps).toBeUndefined();
    expect(morphling.settings.safeParse({ delta: '-1' }).success).toBe(false);
  });

  it('starts with the corner design, then never suggests a configuration twice', async () => {
    const algorithm = create();
    const first = await algorithm.suggest({ space: familySpace, history: [], count: 4 });
    expect(first.map((c) => familySpace.key(c))).toEqual(
      cornerDesign(familySpace, { size: 4 }).map((c) => familySpace.key(c)),
    );
    const run = await searchTable(algorithm, familySpace, syntheticTask(102), objective, 30);
    const keys = run.history.map((o) => familySpace.key(o.config));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('returns `count` distinct unmeasured configurations, excluding pending and running trials', async () => {
    const observe = observer(syntheticTask(103), objective);
    const history: Observation[] = cornerDesign(familySpace, { size: 4 }).map(observe);
    history.push({ config: familySpace.configAt(5), status: 'pending' });
    history.push({ config: familySpace.configAt(6), status: 'running' });
    const picks = await create().suggest({ space: familySpace, history, count: 6 });
    const keys = picks.map((c) => familySpace.key(c));
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
    const tried = new Set(history.map((o) => familySpace.key(o.config)));
    expect(keys.some((k) => tried.has(k))).toBe(false);
  });

  it('is reproducible', async () => {
    const a = await searchTable(create({ seed: 3 }), familySpace, syntheticTask(104), objective, 12);
    const b = await searchTable(create({ seed: 3 }), familySpace, syntheticTask(104), objective, 12);
    expect(b.history.map((o) => familySpace.key(o.config))).toEqual(
      a.history.map((o) => familySpace.key(o.config)),
    );
  });

  // Held-out SYNTHETIC tasks 100 and 101 (720 configurations; the meta-model never saw them). Tolerance:
  // the exact optimum within 60 trials (1/12 of the space) on each; random search needs ~360 on average.
  it('finds the optimum of held-out synthetic tasks within 60 trials', async () => {
    for (const task of [100, 101]) {
      const table = syntheticTask(task);
      const run = await searchTable(create(), familySpace, table, objective, 60);
      const best = optimum(table, objective);
      let random = 0;
      for (const index of permutation(familySpace.size, 1)) {
        random++;
        const o = observer(table, objective)(familySpace.configAt(index));
        if (o.status === 'succeeded' && (o.score as number) >= best) break;
      }
      console.log(
        `synthetic task ${task}: morphling found the optimum after ${run.trialsToOptimum ?? '>60'} trials ` +
          `(random search, seed 1: ${random}); median suggestion ${median(run.latencies).toFixed(1)} ms`,
      );
      expect(run.trialsToOptimum).toBeDefined();
      expect(run.trialsToOptimum as number).toBeLessThanOrEqual(60);
    }
  });

  it('suggests within ~100 ms on the 720-configuration space with a 2 x 128 network', async () => {
    const big = join(dir, 'maml-2x128.json');
    await saveUntrained2x128(big, 'maml');
    const times = await suggestionTimes(create({ metamodel: big }));
    console.log(
      `suggestion latency, 720 configurations, 2x128, 30 observations, 20 fine-tuning steps: ` +
        `median ${(times[2] as number).toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
    // Target 100 ms; the bound leaves room for a loaded test machine.
    expect(times[2]).toBeLessThan(300);
  });

  it('without a meta-model warns and falls back to a network trained from scratch', async () => {
    const algorithm = morphling.create(morphling.settings.parse({ initialDesign: 2, scratchSteps: 20 }));
    const { warnings, distinct } = await fallbackRun(algorithm, new SearchSpace(SYNTHETIC_SPACE));
    expect(distinct).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/falling back to a network trained from scratch/);
  });

  it('rejects a weights file of the wrong kind or for another space, clearly', async () => {
    await expect(
      create({ metamodel: pooled }).suggest({ space: familySpace, history: [], count: 5 }),
    ).rejects.toThrow(
      /is a "pooled" network; algorithm morphling expects a "maml" one \(use algorithm finetune or morphling-gp\)/,
    );
    await expect(
      create().suggest({ space: new SearchSpace(SYNTHETIC_SPACE), history: [], count: 1 }),
    ).rejects.toThrow(/trained for a different search space/);
  });
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
