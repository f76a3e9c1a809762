/** Element types the zoo's model inputs and outputs use. */
export type ModelDtype = 'float32' | 'int64';

/** Shape marker for the batch dimension: the models leave it symbolic so a server can run any batch size. */
export const BATCH = -1;

export interface TensorInfo {
  name: string;
  dtype: ModelDtype;
  /** Dimensions with `BATCH` (-1) first; the remaining dimensions are fixed. */
  shape: readonly number[];
  /** For integer inputs such as token ids: valid values are 0 <= v < this bound (others make the run fail). */
  valueBound?: number;
}

export interface ModelInfo {
  name: string;
  /** Architecture family, e.g. `resnet`, `bert`: what a tuner may want to group results by. */
  family: string;
  /** Number of weight values: the sum of the sizes of all initializers. */
  params: number;
  /** Estimated floating-point operations for one sample (2 x multiply-accumulates of convs and matmuls). */
  flopsPerSample: number;
  input: TensorInfo;
  output: TensorInfo;
}

export interface BuiltModel {
  /** A serialized ONNX ModelProto. */
  bytes: Uint8Array;
  info: ModelInfo;
}
