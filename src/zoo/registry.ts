import { GraphBuilder } from './graph-builder.js';
import type { ModelDefinition } from './model-definition.js';
import type { BuiltModel, ModelInfo } from './model-info.js';
import { languageModels } from './models/language.js';
import { mlpTiny } from './models/mlp-tiny.js';
import { visionModels } from './models/vision.js';
import { Prng } from './prng.js';

/** Seed used when the caller does not choose one; fixed so a model name always means the same bytes. */
export const DEFAULT_SEED = 20211101;

const DEFINITIONS: ReadonlyMap<string, ModelDefinition> = new Map(
  [mlpTiny, ...visionModels, ...languageModels].map((definition) => [definition.name, definition]),
);

export function listModels(): string[] {
  return [...DEFINITIONS.keys()];
}

export function isZooModel(name: string): boolean {
  return DEFINITIONS.has(name);
}

/** Builds the named model's ONNX bytes with weights drawn from `seed`. Same name and seed, same bytes. */
export function buildModel(name: string, seed = DEFAULT_SEED): BuiltModel {
  const definition = DEFINITIONS.get(name);
  if (!definition) throw new Error(`unknown zoo model '${name}' (known: ${listModels().join(', ')})`);
  const g = new GraphBuilder(new Prng(seed));
  g.input(definition.input);
  g.output(definition.output);
  definition.build(g);
  const info: ModelInfo = {
    name: definition.name,
    family: definition.family,
    params: g.params,
    flopsPerSample: g.flops,
    input: definition.input,
    output: definition.output,
  };
  return { bytes: g.toBytes(definition.name), info };
}
