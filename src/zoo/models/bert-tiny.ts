import { intAttr, intsAttr } from '../graph-builder.js';
import { dense } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { BATCH } from '../model-info.js';
import { embeddings, encoderLayer, type SequenceShape } from '../transformer-layers.js';

/** Sizes of Google's BERT-Tiny (L=2, H=128, A=2) with a small vocabulary and a short, fixed sequence. */
const VOCAB = 1024;
const SHAPE: SequenceShape = { seq: 32, hidden: 128 };
const LAYERS = 2;
const HEADS = 2;
const FFN = 512;
const CLASSES = 2;

export const bertTiny: ModelDefinition = {
  name: 'bert-tiny',
  family: 'bert',
  input: { name: 'input_ids', dtype: 'int64', shape: [BATCH, SHAPE.seq], valueBound: VOCAB },
  output: { name: 'logits', dtype: 'float32', shape: [BATCH, CLASSES] },
  build(g) {
    let x = embeddings(g, 'input_ids', VOCAB, SHAPE);
    for (let layer = 0; layer < LAYERS; layer++) x = encoderLayer(g, x, SHAPE, HEADS, FFN);
    // Mean over the sequence gives one vector per sample for the classifier.
    const pooled = g.op('ReduceMean', [x], [intsAttr('axes', [1]), intAttr('keepdims', 0)]);
    dense(g, pooled, SHAPE.hidden, CLASSES, 'logits');
  },
};
