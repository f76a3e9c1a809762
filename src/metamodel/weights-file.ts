import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SpecError } from '../errors.js';
import type { ParameterSpec } from '../space/parameter.js';
import { ParameterSpecSchema } from '../space/schema.js';
import type { SearchSpace } from '../space/search-space.js';
import { ensureBackend, type tf } from './backend.js';
import {
  architectureOf,
  deserialiseParams,
  type MlpArchitecture,
  type MlpParams,
  serialiseParams,
} from './mlp.js';
import { assertSameSpace } from './space-match.js';

export const METAMODEL_FORMAT = 'morphling-metamodel/1';

/**
 * How the weights were obtained: `maml` — meta-trained (Morphling's meta-model); `pooled` — plain
 * regression on all training tasks pooled, for average accuracy (the paper's Fine-Tuning baseline).
 */
export type MetamodelKind = 'maml' | 'pooled';

const SerialisedTensorSchema = z.strictObject({
  shape: z.array(z.number().int().min(1)),
  values: z.array(z.number()),
});

const MetamodelFileSchema = z.strictObject({
  format: z.literal(METAMODEL_FORMAT),
  kind: z.enum(['maml', 'pooled']),
  /** ISO date of training. */
  date: z.string(),
  /** The search space the network encodes: loading against another space is refused. */
  space: z.array(ParameterSpecSchema).min(1),
  /** The objective the training targets were computed with (normalised per task, see normalise.ts). */
  objective: z.looseObject({ metric: z.string(), goal: z.enum(['maximize', 'minimize']) }),
  normalisation: z.string(),
  /** Names of the training models (profile tables). */
  models: z.array(z.string()),
  /** The training settings (MAML or pooled regression), for the record. */
  settings: z.record(z.string(), z.unknown()),
  /** Recommended online fine-tuning: the inner loop the weights were meta-trained for. */
  adaptation: z.strictObject({
    steps: z.number().int().min(0),
    learningRate: z.number().positive(),
    optimizer: z.enum(['sgd', 'adam']),
  }),
  architecture: z.strictObject({
    inputDim: z.number().int().min(1),
    hidden: z.array(z.number().int().min(1)),
  }),
  /** Free-form numbers about the training run (seconds, final loss, ...). */
  training: z.record(z.string(), z.unknown()).default({}),
  weights: z.array(SerialisedTensorSchema).min(2),
});

export type MetamodelFile = z.infer<typeof MetamodelFileSchema>;

/** A loaded meta-model: the weights as tensors plus what they were trained for. */
export interface Metamodel extends Omit<MetamodelFile, 'weights' | 'format' | 'space'> {
  space: ParameterSpec[];
  params: MlpParams;
}

export type MetamodelDescription = Omit<MetamodelFile, 'weights' | 'format' | 'architecture'>;

/** The JSON document of a meta-model (weights as float32 values widened to numbers). */
export function metamodelDocument(
  description: MetamodelDescription,
  params: readonly tf.Tensor[],
): MetamodelFile {
  const architecture: MlpArchitecture = architectureOf(params);
  return {
    format: METAMODEL_FORMAT,
    ...description,
    architecture: { inputDim: architecture.inputDim, hidden: [...architecture.hidden] },
    weights: serialiseParams(params),
  };
}

export async function saveMetamodel(
  path: string,
  description: MetamodelDescription,
  params: readonly tf.Tensor[],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(metamodelDocument(description, params))}\n`);
}

/**
 * Parses a meta-model document. With `space`, also checks that the network was trained for a space
 * that encodes identically (same knobs in the same order, same values, same scales) and throws a
 * SpecError listing the differences otherwise. The tensor backend must be ready (`ensureBackend`).
 */
export function parseMetamodel(text: string, source: string, space?: SearchSpace): Metamodel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpecError([
      { path: source, message: `not a meta-model: not JSON (${(error as Error).message})` },
    ]);
  }
  const parsed = MetamodelFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SpecError(
      parsed.error.issues.map((issue) => ({
        path: `${source}${issue.path.length ? ` ${issue.path.join('.')}` : ''}`,
        message: issue.message,
      })),
    );
  }
  const file = parsed.data;
  if (space) {
    try {
      assertSameSpace(file.space as ParameterSpec[], space, `the meta-model ${source}`);
    } catch (error) {
      throw new SpecError([{ path: source, message: (error as Error).message }]);
    }
  }
  let params: MlpParams;
  try {
    params = deserialiseParams(file.weights);
  } catch (error) {
    throw new SpecError([{ path: `${source} weights`, message: (error as Error).message }]);
  }
  const architecture = architectureOf(params);
  const expectedDim = space?.dimension ?? file.architecture.inputDim;
  if (architecture.inputDim !== expectedDim || architecture.inputDim !== file.architecture.inputDim) {
    for (const p of params) p.dispose();
    throw new SpecError([
      {
        path: `${source} weights`,
        message: `the network takes ${architecture.inputDim} inputs, the space encodes ${expectedDim}`,
      },
    ]);
  }
  const { weights: _weights, format: _format, space: trained, ...rest } = file;
  return { ...rest, space: trained as ParameterSpec[], params };
}

export async function loadMetamodel(path: string, space?: SearchSpace): Promise<Metamodel> {
  await ensureBackend();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SpecError([
      {
        path,
        message: `cannot read the meta-model (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      },
    ]);
  }
  return parseMetamodel(text, path, space);
}
