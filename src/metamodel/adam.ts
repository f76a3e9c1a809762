import { tf } from './backend.js';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam over a list of plain tensors, functional: `step` returns new weights and leaves the old ones to
 * the caller. (tf.train.adam wants named tf.Variables; this keeps MAML and fine-tuning on one tensor
 * representation.) Deterministic.
 */
export class Adam {
  private readonly m: tf.Tensor[];
  private readonly v: tf.Tensor[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    shapes: readonly tf.Tensor[],
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.m = shapes.map((p) => tf.zerosLike(p));
    this.v = shapes.map((p) => tf.zerosLike(p));
  }

  /** New weights after one step along `grads` (which the caller still owns). */
  step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[]): tf.Tensor[] {
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    const rate = (this.options.learningRate * Math.sqrt(correction2)) / correction1;
    return params.map((p, i) => {
      const [m, v, next] = tf.tidy(() => {
        const g = grads[i] as tf.Tensor;
        const m = tf.add(tf.mul(this.m[i] as tf.Tensor, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i] as tf.Tensor, beta2), tf.mul(tf.square(g), 1 - beta2));
        const next = tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), rate));
        return [m, v, next];
      });
      (this.m[i] as tf.Tensor).dispose();
      (this.v[i] as tf.Tensor).dispose();
      this.m[i] = m as tf.Tensor;
      this.v[i] = v as tf.Tensor;
      return next as tf.Tensor;
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
