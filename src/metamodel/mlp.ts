import { tf } from './backend.js';
import { SeededRandom } from './random.js';

/** Hidden layer widths of the paper's network: 2 hidden layers of 128 ReLU units. */
export const DEFAULT_HIDDEN: readonly number[] = Object.freeze([128, 128]);

export interface MlpArchitecture {
  /** Length of an input vector: the search space's encoded dimension. */
  readonly inputDim: number;
  /** Widths of the hidden layers (ReLU). The output is one linear unit. */
  readonly hidden: readonly number[];
}

/**
 * The network's weights as plain tensors, `[W1, b1, W2, b2, ..., Wout, bout]`: W_l is `[in, out]`, b_l is
 * `[out]`. Plain tensors rather than a tf.LayersModel so that MAML can differentiate *through* an inner
 * loop that builds new weights functionally (`forward(adapted, x)`).
 *
 * A "batched" copy for T tasks (see `tileParams`) has W_l `[T, in, out]` and b_l `[T, 1, out]`, and
 * takes inputs `[T, n, inputDim]`: every task gets its own weights in one set of kernels.
 */
export type MlpParams = tf.Tensor[];

/** Seeded He-normal weights (std √(2/fan-in), right for ReLU), zero biases. */
export function initMlp(architecture: MlpArchitecture, seed: number): MlpParams {
  const random = new SeededRandom(seed);
  const widths = [architecture.inputDim, ...architecture.hidden, 1];
  const params: MlpParams = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l] as number;
    const fanOut = widths[l + 1] as number;
    const std = Math.sqrt(2 / fanIn);
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
    params.push(tf.tensor2d(values, [fanIn, fanOut]), tf.zeros([fanOut]));
  }
  return params;
}

/** The architecture a parameter list implements (throws if the shapes do not chain). */
export function architectureOf(params: readonly tf.Tensor[]): MlpArchitecture {
  if (params.length < 2 || params.length % 2 !== 0) {
    throw new Error(`an MLP needs weight/bias pairs, got ${params.length} tensors`);
  }
  const widths: number[] = [];
  for (let l = 0; l < params.length / 2; l++) {
    const w = params[2 * l] as tf.Tensor;
    const b = params[2 * l + 1] as tf.Tensor;
    const [fanIn, fanOut] = w.shape.slice(-2) as [number, number];
    if (l === 0) widths.push(fanIn);
    else if (fanIn !== widths[widths.length - 1])
      throw new Error(`layer ${l + 1}: input ${fanIn} does not chain`);
    if (b.shape[b.shape.length - 1] !== fanOut) throw new Error(`layer ${l + 1}: bias does not match`);
    widths.push(fanOut);
  }
  if (widths[widths.length - 1] !== 1) throw new Error('the MLP must have one output');
  return { inputDim: widths[0] as number, hidden: widths.slice(1, -1) };
}

/**
 * The network's output: `[n, 1]` for inputs `[n, inputDim]`, or `[T, n, 1]` for batched weights and
 * inputs `[T, n, inputDim]`. Differentiable (to any order) in both the weights and the inputs.
 */
export function forward(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor {
  const layers = params.length / 2;
  let h = x;
  for (let l = 0; l < layers; l++) {
    h = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor), params[2 * l + 1] as tf.Tensor);
    if (l < layers - 1) h = tf.relu(h);
  }
  return h;
}

/** Mean squared error of the predictions at `x` against targets `y` (`[n, 1]`). */
export function mse(params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(forward(params, x), y)));
}

/** T copies of the weights, batched (W `[T, in, out]`, b `[T, 1, out]`); gradients flow back to the originals. */
export function tileParams(params: readonly tf.Tensor[], tasks: number): MlpParams {
  return params.map((p, i) =>
    i % 2 === 0
      ? tf.tile(tf.expandDims(p, 0), [tasks, 1, 1])
      : tf.tile(tf.reshape(p, [1, 1, -1]), [tasks, 1, 1]),
  );
}

/** Predictions at many points (rows of the unit-cube encoding), as plain numbers. */
export function predict(params: readonly tf.Tensor[], points: readonly (readonly number[])[]): Float32Array {
  if (points.length === 0) return new Float32Array(0);
  return tf.tidy(() => forward(params, toMatrix(points)).dataSync() as Float32Array);
}

/** Rows of numbers as a float32 `[rows, columns]` tensor (at least one row). */
export function toMatrix(rows: readonly (readonly number[])[]): tf.Tensor2D {
  const columns = (rows[0] as readonly number[]).length;
  const flat = new Float32Array(rows.length * columns);
  for (let i = 0; i < rows.length; i++) flat.set(rows[i] as readonly number[], i * columns);
  return tf.tensor2d(flat, [rows.length, columns]);
}

/** Independent copies of the weights (the caller disposes them). */
export function cloneParams(params: readonly tf.Tensor[]): MlpParams {
  return params.map((p) => tf.clone(p));
}

export function disposeParams(params: readonly tf.Tensor[]): void {
  for (const p of params) p.dispose();
}

/** Weights as JSON-friendly arrays (float32 values widened to numbers). */
export interface SerialisedTensor {
  shape: number[];
  values: number[];
}

export function serialiseParams(params: readonly tf.Tensor[]): SerialisedTensor[] {
  return params.map((p) => ({ shape: [...p.shape], values: Array.from(p.dataSync()) }));
}

export function deserialiseParams(tensors: readonly SerialisedTensor[]): MlpParams {
  const params = tensors.map((t) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new Error(
        `a tensor of shape [${t.shape.join(', ')}] needs ${size} values, got ${t.values.length}`,
      );
    }
    return tf.tensor(t.values, t.shape, 'float32');
  });
  try {
    architectureOf(params);
  } catch (error) {
    disposeParams(params);
    throw error;
  }
  return params;
}
