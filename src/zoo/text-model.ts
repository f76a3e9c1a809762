import type { GraphBuilder } from './graph-builder.js';
import type { ModelDefinition } from './model-definition.js';
import { BATCH } from './model-info.js';

/** What every text model of the zoo reads and writes. */
export interface TextShape {
  /** Token ids are 0 <= id < vocab. */
  vocab: number;
  /** Tokens per sample (fixed). */
  seq: number;
  classes: number;
}

/** A text classifier: int64 token ids `input_ids` [N, seq] in, float32 `logits` [N, classes] out. */
export function textModel(
  name: string,
  family: string,
  { vocab, seq, classes }: TextShape,
  build: (g: GraphBuilder) => void,
): ModelDefinition {
  return {
    name,
    family,
    input: { name: 'input_ids', dtype: 'int64', shape: [BATCH, seq], valueBound: vocab },
    output: { name: 'logits', dtype: 'float32', shape: [BATCH, classes] },
    build,
  };
}
