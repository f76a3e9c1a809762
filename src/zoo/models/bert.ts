import { intAttr, intsAttr } from '../graph-builder.js';
import { dense } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { type TextShape, textModel } from '../text-model.js';
import { embeddings, encoderLayer } from '../transformer-layers.js';

/** The L/H/A of a BERT encoder plus the vocabulary and sequence it is built for. */
export interface BertSizes extends TextShape {
  hidden: number;
  layers: number;
  heads: number;
  ffn: number;
}

/**
 * A BERT encoder with a mean-pooled classifier, the architecture of `bert-tiny`, so that every size is the
 * same graph scaled up.
 */
export function bertClassifier(name: string, family: string, sizes: BertSizes): ModelDefinition {
  const { vocab, seq, hidden, layers, heads, ffn, classes } = sizes;
  const shape = { seq, hidden };
  return textModel(name, family, { vocab, seq, classes }, (g) => {
    let x = embeddings(g, 'input_ids', vocab, shape);
    for (let layer = 0; layer < layers; layer++) x = encoderLayer(g, x, shape, heads, ffn);
    const pooled = g.op('ReduceMean', [x], [intsAttr('axes', [1]), intAttr('keepdims', 0)]);
    dense(g, pooled, hidden, classes, 'logits');
  });
}

/** Sizes of Google's BERT-Tiny (L=2, H=128, A=2) with a small vocabulary and a short, fixed sequence. */
export const bertTiny = bertClassifier('bert-tiny', 'bert', {
  vocab: 1024,
  seq: 32,
  hidden: 128,
  layers: 2,
  heads: 2,
  ffn: 512,
  classes: 2,
});

// Head size 64 as in all BERT sizes; each step up adds depth and width.
export const bertSmall = bertClassifier('bert-small', 'bert', {
  vocab: 2048,
  seq: 32,
  hidden: 192,
  layers: 4,
  heads: 3,
  ffn: 768,
  classes: 2,
});

export const bertMedium = bertClassifier('bert-medium', 'bert', {
  vocab: 4096,
  seq: 32,
  hidden: 256,
  layers: 6,
  heads: 4,
  ffn: 1024,
  classes: 2,
});
