import { reluClassifier } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { BATCH } from '../model-info.js';

const FEATURES = 64;
const HIDDEN = 256;
const CLASSES = 10;

/** Three Gemm layers with Relu: the cheapest model, for fast tests of the serving path. */
export const mlpTiny: ModelDefinition = {
  name: 'mlp-tiny',
  family: 'mlp',
  input: { name: 'input', dtype: 'float32', shape: [BATCH, FEATURES] },
  output: { name: 'logits', dtype: 'float32', shape: [BATCH, CLASSES] },
  build(g) {
    reluClassifier(g, 'input', FEATURES, [HIDDEN, HIDDEN], CLASSES);
  },
};
