import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/zoo/graph-builder.js';
import type { ModelDefinition } from '../../src/zoo/model-definition.js';
import type { ModelInfo } from '../../src/zoo/model-info.js';
import { ALBERT_TINY, albertClassifier } from '../../src/zoo/models/albert.js';
import { ELMO_TINY } from '../../src/zoo/models/elmo.js';
import { languageModels } from '../../src/zoo/models/language.js';
import { Prng } from '../../src/zoo/prng.js';
import { buildModel, DEFAULT_SEED } from '../../src/zoo/registry.js';
import { bidirectionalLstmFlops } from '../../src/zoo/sequence-layers.js';

const FAMILIES = ['bert', 'small-bert', 'albert', 'electra', 'elmo', 'nnlm', 'word2vec', 'use'];

/** Builds a definition that is not in the catalogue, the way the registry builds one that is. */
function build(definition: ModelDefinition): { bytes: Uint8Array; params: number; flops: number } {
  const g = new GraphBuilder(new Prng(DEFAULT_SEED));
  g.input(definition.input);
  g.output(definition.output);
  definition.build(g);
  return { bytes: g.toBytes(definition.name), params: g.params, flops: g.flops };
}

// Building the larger models takes a while, and the tests here need only their info.
const infos = new Map<string, ModelInfo>(
  languageModels.map((definition) => [definition.name, buildModel(definition.name).info]),
);
const infoOf = (name: string): ModelInfo => {
  const info = infos.get(name);
  if (!info) throw new Error(`no language model '${name}'`);
  return info;
};

const byFamily = new Map<string, string[]>();
for (const { name, family } of languageModels) byFamily.set(family, [...(byFamily.get(family) ?? []), name]);

describe('language models', () => {
  it('cover the eight text families, at least two sizes each, 17 models or more', () => {
    expect([...byFamily.keys()].sort()).toEqual([...FAMILIES].sort());
    for (const family of FAMILIES) expect(byFamily.get(family)?.length).toBeGreaterThanOrEqual(2);
    expect(languageModels.length).toBeGreaterThanOrEqual(17);
  });

  it.each([...infos.keys()])('%s reads token ids and writes logits', (name) => {
    const { family, input, output } = infoOf(name);
    expect(name.startsWith(`${family}-`)).toBe(true);
    expect(input).toMatchObject({ name: 'input_ids', dtype: 'int64' });
    expect(input.shape).toHaveLength(2);
    expect(input.valueBound).toBeGreaterThan(1);
    expect(output).toMatchObject({ name: 'logits', dtype: 'float32' });
    expect(output.shape).toHaveLength(2);
  });

  it.each(FAMILIES)('list %s sizes from fewest to most FLOPs', (family) => {
    const flops = (byFamily.get(family) ?? []).map((name) => infoOf(name).flopsPerSample);
    expect(flops).toEqual([...flops].sort((a, b) => a - b));
    expect(new Set(flops).size).toBe(flops.length);
  });

  it('share one set of ALBERT encoder weights: depth adds FLOPs but no params', () => {
    const [one, two, eight] = [1, 2, 8].map((layers) =>
      build(albertClassifier('albert-depth', { ...ALBERT_TINY, layers })),
    );
    if (!one || !two || !eight) throw new Error('unreachable');
    expect(two.params).toBe(one.params);
    expect(eight.params).toBe(one.params);
    expect(infoOf('albert-tiny').params).toBe(one.params);
    const perLayer = two.flops - one.flops;
    expect(perLayer).toBeGreaterThan(0);
    expect(eight.flops).toBe(one.flops + 7 * perLayer);
  });

  it('count ELMo FLOPs as its LSTMs plus the classifier', () => {
    const { seq, hidden, layers, classes } = ELMO_TINY;
    // Every layer reads 2 x hidden features (tokens are embedded at that width) and keeps hidden per direction.
    const perStepPerDirection = 2 * 4 * (2 * hidden + hidden) * hidden;
    const lstm = layers * 2 * seq * perStepPerDirection;
    const classifier = 2 * (2 * hidden) * classes;
    expect(bidirectionalLstmFlops({ seq, input: 2 * hidden, hidden })).toBe(2 * seq * perStepPerDirection);
    expect(infoOf('elmo-tiny').flopsPerSample).toBe(lstm + classifier);
    // Seq 32, hidden 64, 2 layers, 2 classes: 2 layers x 2 directions x 32 steps x 98,304 + 512.
    expect(lstm + classifier).toBe(12_583_424);
  });
});
