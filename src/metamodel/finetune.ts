import { Adam } from './adam.js';
import { tf } from './backend.js';
import { cloneParams, disposeParams, type MlpParams, mse, toMatrix } from './mlp.js';

export interface FineTuneOptions {
  /** Gradient steps on all the points (full batch). 0 returns copies of the weights. */
  steps: number;
  learningRate: number;
  /** `sgd`: plain gradient descent, as MAML's inner loop adapts (the default); `adam`: for training from scratch. */
  optimizer?: 'sgd' | 'adam';
}

export interface FineTuned {
  /** θ: the weights after the last step. */
  params: MlpParams;
  /** θ': the weights before the last step (equal to θ's values when `steps` is 0). */
  previous: MlpParams;
  /** The training MSE before each step and after the last (steps + 1 values). */
  losses: number[];
}

/**
 * Fine-tunes a copy of the weights on observed points (x rows of the unit-cube encoding, y normalised
 * targets) and keeps the previous step's weights: the paper's acquisition `f_θ(x) + δ·|f_θ(x) − f_θ'(x)|`
 * uses how much the last step moved a prediction as its exploration bonus. The input weights are left
 * untouched; the caller disposes both returned sets.
 */
export function fineTune(
  params: readonly tf.Tensor[],
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: FineTuneOptions,
): FineTuned {
  const losses: number[] = [];
  let current = cloneParams(params);
  let previous = cloneParams(params);
  if (x.length === 0) return { params: current, previous, losses };
  const xt = toMatrix(x);
  const yt = tf.tensor2d(Float32Array.from(y), [y.length, 1]);
  const adam =
    options.optimizer === 'adam' ? new Adam(params, { learningRate: options.learningRate }) : undefined;
  const gradient = tf.valueAndGrads((...p: tf.Tensor[]) => mse(p, xt, yt));
  for (let s = 0; s < options.steps; s++) {
    const { value, grads } = gradient(current);
    losses.push(value.dataSync()[0] as number);
    value.dispose();
    const next = adam
      ? adam.step(current, grads)
      : current.map((p, i) => tf.tidy(() => tf.sub(p, tf.mul(grads[i] as tf.Tensor, options.learningRate))));
    disposeParams(grads);
    disposeParams(previous);
    previous = current;
    current = next;
  }
  losses.push(tf.tidy(() => mse(current, xt, yt).dataSync()[0] as number));
  adam?.dispose();
  xt.dispose();
  yt.dispose();
  return { params: current, previous, losses };
}
