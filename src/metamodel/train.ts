import type { Objective } from '../objective/index.js';
import type { ProfileTable } from '../profile/table.js';
import type { SearchSpace } from '../space/search-space.js';
import { DEFAULT_MAML, type MamlSettings, metaTrain } from './maml.js';
import type { MlpParams } from './mlp.js';
import { DEFAULT_POOLED, type PooledSettings, trainPooled } from './pooled.js';
import { tableTask } from './tasks.js';
import type { MetamodelDescription, MetamodelFile, MetamodelKind } from './weights-file.js';

/**
 * Online fine-tuning recommended for a trained network, recorded in its weights file: 20 full-batch SGD
 * steps. MAML's inner loop adapts to K = 10 points in 3 steps; online the observations grow to tens of
 * points and 20 steps at the same α fitted them better (held-out synthetic tasks: median trials to the
 * optimum 18 with 20–30 steps, 22 with 3, and 10 steps at 2α diverged on some tasks).
 */
export const DEFAULT_ADAPTATION_STEPS = 20;
/** Step size of the pooled network's online fine-tuning (MAML networks use their α). */
export const DEFAULT_POOLED_ADAPTATION_RATE = 0.05;

export interface TrainMetamodelOptions {
  kind: MetamodelKind;
  objective: Objective;
  maml?: Partial<MamlSettings>;
  pooled?: Partial<PooledSettings>;
  adaptation?: Partial<MetamodelFile['adaptation']>;
  /** The space the network encodes (default: the first table's); every table must encode like it. */
  space?: SearchSpace;
}

export interface TrainedMetamodel {
  params: MlpParams;
  description: MetamodelDescription;
  curve: number[];
  seconds: number;
}

/**
 * From profile tables to a network ready for `saveMetamodel`: each table becomes a regression task
 * (tasks.ts: succeeded rows only, scores normalised so the task's best is 1), then MAML meta-training
 * (`maml`) or pooled regression (`pooled`).
 */
export async function trainMetamodel(
  tables: readonly ProfileTable[],
  options: TrainMetamodelOptions,
): Promise<TrainedMetamodel> {
  const first = tables[0];
  if (!first) throw new Error('training a meta-model needs at least one profile table');
  const space = options.space ?? first.space;
  const tasks = tables.map((table) => tableTask(table, options.objective, space));
  const result =
    options.kind === 'maml'
      ? await metaTrain(tasks, { ...DEFAULT_MAML, ...options.maml })
      : await trainPooled(tasks, { ...DEFAULT_POOLED, ...options.pooled });
  const tail = result.curve.slice(-Math.max(1, Math.floor(result.curve.length / 10)));
  const learningRate =
    options.kind === 'maml' ? (result.settings as MamlSettings).alpha : DEFAULT_POOLED_ADAPTATION_RATE;
  const description: MetamodelDescription = {
    kind: options.kind,
    date: new Date().toISOString(),
    space: space.toJSON(),
    objective: {
      metric: options.objective.metric,
      goal: options.objective.goal,
      pricing: options.objective.pricing,
    },
    normalisation: 'per task, best = 1: score / max for non-negative scores (src/metamodel/normalise.ts)',
    models: tables.map((table) => table.header.model.name),
    settings: { ...result.settings, hidden: [...result.settings.hidden] },
    adaptation: {
      steps: DEFAULT_ADAPTATION_STEPS,
      learningRate,
      optimizer: 'sgd',
      ...options.adaptation,
    },
    training: {
      seconds: result.seconds,
      steps: result.curve.length,
      finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
      synthetic: tables.some((table) => table.header.synthetic === true),
    },
  };
  return { params: result.params, description, curve: result.curve, seconds: result.seconds };
}
