import { intAttr } from '../graph-builder.js';
import { dense } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { textModel } from '../text-model.js';
import { applyEncoderLayer, encoderLayerWeights, factorizedEmbeddings } from '../transformer-layers.js';
import type { BertSizes } from './bert.js';

/** A BERT encoder's sizes behind factorized embeddings (ALBERT, ELECTRA). */
export interface AlbertSizes extends BertSizes {
  /** Width of the token table, smaller than `hidden`, projected up before the encoder. */
  embedding: number;
}

/**
 * ALBERT: factorized embeddings and one set of encoder weights applied `layers` times, so depth adds
 * FLOPs but no parameters; classified from the first token through a tanh pooler, as ALBERT does.
 */
export function albertClassifier(name: string, sizes: AlbertSizes): ModelDefinition {
  const { vocab, seq, embedding, hidden, layers, heads, ffn, classes } = sizes;
  const shape = { seq, hidden };
  return textModel(name, 'albert', { vocab, seq, classes }, (g) => {
    let x = factorizedEmbeddings(g, 'input_ids', vocab, embedding, shape);
    const shared = encoderLayerWeights(g, hidden, ffn);
    for (let layer = 0; layer < layers; layer++) x = applyEncoderLayer(g, x, shape, heads, shared);
    const first = g.op('Gather', [x, g.constant('first_token', 'int64', [], [0])], [intAttr('axis', 1)]);
    const pooled = g.op('Tanh', [dense(g, first, hidden, hidden)]);
    dense(g, pooled, hidden, classes, 'logits');
  });
}

export const ALBERT_TINY: AlbertSizes = {
  vocab: 2048,
  seq: 32,
  embedding: 64,
  hidden: 128,
  layers: 4,
  heads: 2,
  ffn: 512,
  classes: 2,
};

export const albertTiny = albertClassifier('albert-tiny', ALBERT_TINY);

export const albertSmall = albertClassifier('albert-small', {
  vocab: 4096,
  seq: 32,
  embedding: 128,
  hidden: 256,
  layers: 4,
  heads: 4,
  ffn: 1024,
  classes: 2,
});
