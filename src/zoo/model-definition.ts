import type { GraphBuilder } from './graph-builder.js';
import type { TensorInfo } from './model-info.js';

/** One zoo model: how to build its graph. Parameter and FLOP counts come from the builder afterwards. */
export interface ModelDefinition {
  name: string;
  family: string;
  input: TensorInfo;
  output: TensorInfo;
  /** Adds the layers between `input` and `output` (both already declared on `g`). */
  build(g: GraphBuilder): void;
}
