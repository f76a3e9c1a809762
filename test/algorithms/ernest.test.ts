import { beforeAll, describe, expect, it } from 'vitest';
import { ernest } from '../../src/algorithms/ernest.js';
import { cornerDesign } from '../../src/algorithms/initial-design.js';
import { permutation } from '../../src/algorithms/random.js';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { ensureBackend } from '../../src/metamodel/backend.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import type { Observation } from '../../src/space/parameter.js';
import { observer, optimum, searchTable } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';

const objective = taskObjective('rps_per_cost');
const create = (overrides: Record<string, unknown> = {}) => ernest.create(ernest.settings.parse(overrides));

beforeAll(ensureBackend);

describe('ernest', () => {
  it('is registered and coerces string settings', () => {
    expect(findAlgorithm('ernest')).toBe(ernest);
    expect(ernest.settings.parse({ trainSteps: '50', learningRate: '0.02', seed: '3' })).toMatchObject({
      trainSteps: 50,
      learningRate: 0.02,
      seed: 3,
      initialDesign: 8,
    });
    expect(ernest.settings.safeParse({ trainSteps: '0' }).success).toBe(false);
  });

  it('starts with the 8 corners and fills space while nothing has succeeded', async () => {
    const algorithm = create();
    const corners = await algorithm.suggest({ space: familySpace, history: [], count: 8 });
    expect(corners.map((c) => familySpace.key(c))).toEqual(
      cornerDesign(familySpace).map((c) => familySpace.key(c)),
    );
    const history: Observation[] = corners.map((config) => ({ config, status: 'infeasible' }));
    const next = await algorithm.suggest({ space: familySpace, history, count: 3 });
    expect(next).toHaveLength(3);
    const tried = new Set(corners.map((c) => familySpace.key(c)));
    expect(next.some((c) => tried.has(familySpace.key(c)))).toBe(false);
  });

  it('returns `count` distinct new configurations and is reproducible', async () => {
    const observe = observer(syntheticTask(102), objective);
    const history = [...permutation(familySpace.size, 4)]
      .slice(0, 12)
      .map((i) => observe(familySpace.configAt(i)));
    const a = await create({ trainSteps: 30 }).suggest({ space: familySpace, history, count: 5 });
    const b = await create({ trainSteps: 30 }).suggest({ space: familySpace, history, count: 5 });
    expect(a.map((c) => familySpace.key(c))).toEqual(b.map((c) => familySpace.key(c)));
    const keys = new Set(a.map((c) => familySpace.key(c)));
    expect(keys.size).toBe(5);
    for (const o of history) expect(keys.has(familySpace.key(o.config))).toBe(false);
  });

  // Held-out SYNTHETIC task 101, trained from scratch on every call (no meta-learning). Looser than
  // morphling's: the exact optimum within 100 trials (1/7 of the 720 configurations).
  it('finds the optimum of a synthetic task within 100 trials', async () => {
    const table = syntheticTask(101);
    const run = await searchTable(create(), familySpace, table, objective, 100);
    const keys = run.history.map((o) => familySpace.key(o.config));
    expect(new Set(keys).size).toBe(keys.length);
    const latencies = run.latencies.slice(8).sort((x, y) => x - y); // after the 8 corners
    console.log(
      `synthetic task 101: ernest found the optimum after ${run.trialsToOptimum ?? '>100'} trials ` +
        `(optimum ${optimum(table, objective).toFixed(1)} RPS/$); median model suggestion ${latencies[Math.floor(latencies.length / 2)]?.toFixed(0)} ms`,
    );
    expect(run.trialsToOptimum).toBeDefined();
    expect(run.trialsToOptimum as number).toBeLessThanOrEqual(100);
  });
});
