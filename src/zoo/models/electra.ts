import { intAttr, intsAttr } from '../graph-builder.js';
import type { ModelDefinition } from '../model-definition.js';
import { textModel } from '../text-model.js';
import { encoderLayer, factorizedEmbeddings, gelu, linear } from '../transformer-layers.js';
import type { AlbertSizes } from './albert.js';

/**
 * ELECTRA's discriminator: a BERT encoder (own weights per layer) behind factorized embeddings, and its
 * per-token head (dense, GELU, dense) scoring every position before the scores are averaged to logits.
 */
export function electraClassifier(name: string, sizes: AlbertSizes): ModelDefinition {
  const { vocab, seq, embedding, hidden, layers, heads, ffn, classes } = sizes;
  const shape = { seq, hidden };
  return textModel(name, 'electra', { vocab, seq, classes }, (g) => {
    let x = factorizedEmbeddings(g, 'input_ids', vocab, embedding, shape);
    for (let layer = 0; layer < layers; layer++) x = encoderLayer(g, x, shape, heads, ffn);
    const scores = linear(g, gelu(g, linear(g, x, seq, hidden, hidden)), seq, hidden, classes);
    g.op('ReduceMean', [scores], [intsAttr('axes', [1]), intAttr('keepdims', 0)], 'logits');
  });
}

export const electraTiny = electraClassifier('electra-tiny', {
  vocab: 2048,
  seq: 32,
  embedding: 64,
  hidden: 128,
  layers: 4,
  heads: 2,
  ffn: 512,
  classes: 2,
});

// ELECTRA-Small's shape (E = 128, H = 256, A = 4), at a third of its depth.
export const electraSmall = electraClassifier('electra-small', {
  vocab: 4096,
  seq: 32,
  embedding: 128,
  hidden: 256,
  layers: 4,
  heads: 4,
  ffn: 1024,
  classes: 2,
});
