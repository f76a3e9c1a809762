import type { Algorithm } from '../../src/algorithms/algorithm.js';
import { permutation } from '../../src/algorithms/random.js';
import { disposeParams, initMlp } from '../../src/metamodel/mlp.js';
import { FALLBACK_WARNING } from '../../src/metamodel/online.js';
import { taskObjective } from '../../src/metamodel/tasks.js';
import { trainMetamodel } from '../../src/metamodel/train.js';
import { type MetamodelKind, saveMetamodel } from '../../src/metamodel/weights-file.js';
import type { Observation } from '../../src/space/parameter.js';
import type { SearchSpace } from '../../src/space/search-space.js';
import { observer } from '../metamodel/helpers.js';
import { familySpace, syntheticTask } from '../metamodel/synthetic-family.js';

/** Helpers shared by the tests of the searches with a pre-trained network (morphling, morphling-gp, finetune). */

const objective = taskObjective('rps_per_cost');

/**
 * A `pooled` network regressed on 8 SYNTHETIC training tasks (2 x 32, 600 Adam steps: about a second)
 * saved as `pooledPath`, and the same weights labelled `maml` as `mamlPath` (to test kind checks).
 */
export async function savePooledAndMislabelled(pooledPath: string, mamlPath: string): Promise<void> {
  const tables = [0, 1, 2, 3, 4, 5, 6, 7].map(syntheticTask);
  const pooled = await trainMetamodel(tables, {
    kind: 'pooled',
    objective,
    pooled: { steps: 600, hidden: [32, 32], learningRate: 3e-3 },
  });
  await saveMetamodel(pooledPath, pooled.description, pooled.params);
  await saveMetamodel(mamlPath, { ...pooled.description, kind: 'maml' }, pooled.params);
  disposeParams(pooled.params);
}

/** An untrained 2 x 128 network for the 720-configuration synthetic space, saved as `path`. */
export async function saveUntrained2x128(path: string, kind: MetamodelKind): Promise<void> {
  const params = initMlp({ inputDim: familySpace.dimension, hidden: [128, 128] }, 2);
  await saveMetamodel(
    path,
    {
      kind,
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
}

/**
 * Milliseconds of 5 single suggestions on the 720-configuration synthetic space after 30 trials of
 * SYNTHETIC task 105, sorted; one call first loads the weights file.
 */
export async function suggestionTimes(algorithm: Algorithm): Promise<number[]> {
  const observe = observer(syntheticTask(105), objective);
  const history = [...permutation(familySpace.size, 9)]
    .slice(0, 30)
    .map((i) => observe(familySpace.configAt(i)));
  await algorithm.suggest({ space: familySpace, history, count: 1 });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await algorithm.suggest({ space: familySpace, history, count: 1 });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Runs 4 suggestions (each answered as a success) and returns the MORPHLING_METAMODEL_FALLBACK
 * warnings emitted meanwhile, with the distinct configurations suggested.
 */
export async function fallbackRun(
  algorithm: Algorithm,
  space: SearchSpace,
): Promise<{ warnings: Error[]; distinct: number }> {
  const warnings: Error[] = [];
  const listener = (warning: Error) => {
    if ((warning as Error & { code?: string }).code === FALLBACK_WARNING) warnings.push(warning);
  };
  process.on('warning', listener);
  const history: Observation[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const [config] = await algorithm.suggest({ space, history, count: 1 });
      if (!config) throw new Error('no suggestion');
      history.push({ config, status: 'succeeded', value: i + 1, score: i + 1 });
    }
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return { warnings, distinct: new Set(history.map((o) => space.key(o.config))).size };
}
