import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend, tf } from '../../src/metamodel/backend.js';
import { fineTune } from '../../src/metamodel/finetune.js';
import { type MetaBatch, metaGradient, metaTrain } from '../../src/metamodel/maml.js';
import {
  disposeParams,
  forward,
  initMlp,
  type MlpParams,
  predict,
  serialiseParams,
  tileParams,
} from '../../src/metamodel/mlp.js';
import { SeededRandom } from '../../src/metamodel/random.js';
import { type RegressionTask, tableTask, taskObjective } from '../../src/metamodel/tasks.js';
import { syntheticTask } from './synthetic-family.js';

beforeAll(ensureBackend);

/** A tiny meta-batch: 2 tasks (scaled copies of one smooth function), 3 inputs, K = 5, Q = 7. */
function tinyBatch(): MetaBatch {
  const random = new SeededRandom(11);
  const f = (x: number[]) => Math.sin(3 * (x[0] as number)) + (x[1] as number) * (x[2] as number);
  const make = (n: number) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let t = 0; t < 2; t++) {
      for (let i = 0; i < n; i++) {
        const x = [random.uniform(), random.uniform(), random.uniform()];
        xs.push(...x);
        ys.push(f(x) * (1 + t));
      }
    }
    return [tf.tensor3d(xs, [2, n, 3]), tf.tensor3d(ys, [2, n, 1])] as const;
  };
  const [xs, ys] = make(5);
  const [xq, yq] = make(7);
  return { xs, ys, xq, yq };
}

/** The meta-loss computed independently of maml.ts: inner SGD steps by tf.grads, then the query loss. */
function metaLoss(params: MlpParams, batch: MetaBatch, steps: number, alpha: number): number {
  return tf.tidy(() => {
    const loss = (p: tf.Tensor[], x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mean(tf.square(tf.sub(forward(p, x), y)), [1, 2]));
    let p = tileParams(params, 2);
    for (let s = 0; s < steps; s++) {
      const g = tf.grads((...q: tf.Tensor[]) => loss(q, batch.xs, batch.ys))(p);
      p = p.map((q, i) => tf.sub(q, tf.mul(g[i] as tf.Tensor, alpha)));
    }
    return tf.div(loss(p, batch.xq, batch.yq), 2).dataSync()[0] as number;
  });
}

function dot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  return a.reduce(
    (sum, t, i) => sum + (tf.tidy(() => tf.sum(tf.mul(t, b[i] as tf.Tensor)).dataSync()[0]) as number),
    0,
  );
}

describe('MAML meta-gradient', () => {
  // Directional derivatives along 12 random unit directions, central differences at ε = 2e-3 and 1e-3
  // (float32). A direction whose two estimates disagree by more than 1% crosses a ReLU kink and is
  // skipped (at least 8 must remain). Tolerance: |analytic − FD| ≤ 2% of |FD| + 5e-5. First-order MAML
  // must miss the same tolerance on most directions, so the check tells the two apart.
  it('matches finite differences (second order) and differs from first order', () => {
    const params = initMlp({ inputDim: 3, hidden: [8, 8] }, 3);
    const batch = tinyBatch();
    const settings = { innerSteps: 2, alpha: 0.2 };
    const second = metaGradient(params, batch, { ...settings, order: 'second' });
    const first = metaGradient(params, batch, { ...settings, order: 'first' });
    expect(second.loss).toBeCloseTo(metaLoss(params, batch, 2, 0.2), 6);
    expect(first.loss).toBeCloseTo(second.loss, 6);

    let consistent = 0;
    let firstOrderMisses = 0;
    for (let d = 0; d < 12; d++) {
      const raw = params.map((p, i) => tf.randomNormal(p.shape, 0, 1, 'float32', 100 * d + i));
      const norm = Math.sqrt(dot(raw, raw));
      const direction = raw.map((r) => tf.div(r, norm));
      const fd = (eps: number) => {
        const plus = params.map((p, i) => tf.add(p, tf.mul(direction[i] as tf.Tensor, eps)));
        const minus = params.map((p, i) => tf.sub(p, tf.mul(direction[i] as tf.Tensor, eps)));
        const value = (metaLoss(plus, batch, 2, 0.2) - metaLoss(minus, batch, 2, 0.2)) / (2 * eps);
        disposeParams([...plus, ...minus]);
        return value;
      };
      const coarse = fd(2e-3);
      const fine = fd(1e-3);
      const analytic = dot(second.grads, direction);
      const firstOrder = dot(first.grads, direction);
      disposeParams([...raw, ...direction]);
      if (Math.abs(coarse - fine) > 0.01 * Math.abs(fine) + 1e-5) continue;
      consistent++;
      expect(Math.abs(analytic - fine)).toBeLessThanOrEqual(0.02 * Math.abs(fine) + 5e-5);
      if (Math.abs(firstOrder - fine) > 0.02 * Math.abs(fine) + 5e-5) firstOrderMisses++;
    }
    expect(consistent).toBeGreaterThanOrEqual(8);
    expect(firstOrderMisses).toBeGreaterThanOrEqual(Math.ceil(consistent / 2));
    disposeParams([...params, ...second.grads, ...first.grads, batch.xs, batch.ys, batch.xq, batch.yq]);
  });

  it('with zero inner steps is the plain gradient of the query loss, in both orders', () => {
    const params = initMlp({ inputDim: 3, hidden: [4] }, 4);
    const batch = tinyBatch();
    const a = metaGradient(params, batch, { innerSteps: 0, alpha: 0.2, order: 'second' });
    const b = metaGradient(params, batch, { innerSteps: 0, alpha: 0.2, order: 'first' });
    a.grads.forEach((g, i) => {
      const other = Array.from((b.grads[i] as tf.Tensor).dataSync());
      Array.from(g.dataSync()).forEach((v, j) => {
        expect(v).toBeCloseTo(other[j] as number, 5);
      });
    });
    disposeParams([...params, ...a.grads, ...b.grads, batch.xs, batch.ys, batch.xq, batch.yq]);
  });
});

describe('MAML meta-training (synthetic tasks)', () => {
  const objective = taskObjective('rps_per_cost');
  const training = [0, 1, 2, 3, 4, 5].map((i) => tableTask(syntheticTask(i), objective));
  const heldOut = tableTask(syntheticTask(100), objective);

  /** Mean over 6 draws of K support points: MSE on the whole held-out task after `steps` SGD steps. */
  function adaptedLoss(
    start: MlpParams,
    task: RegressionTask,
    k: number,
    steps: number,
    alpha: number,
  ): number {
    let total = 0;
    for (let draw = 0; draw < 6; draw++) {
      const support = new SeededRandom(77 + draw).sample(task.x.length, k);
      const tuned = fineTune(
        start,
        support.map((i) => task.x[i] as number[]),
        support.map((i) => task.y[i] as number),
        { steps, learningRate: alpha },
      );
      const p = predict(tuned.params, task.x);
      total += p.reduce((s, v, i) => s + (v - (task.y[i] as number)) ** 2, 0) / p.length;
      disposeParams([...tuned.params, ...tuned.previous]);
    }
    return total / 6;
  }

  // 6 SYNTHETIC training tasks, held-out synthetic task 100; a 2 x 32 network keeps it to a few seconds.
  // Both initialisations adapt identically: K = 10 random points, 2 SGD steps of α = 0.05. The meta-trained
  // one must end at under half the loss of the seeded initialisation it started from.
  it('adapts to a held-out task from K points better than an unmeta-trained initialisation', async () => {
    const settings = {
      iterations: 300,
      hidden: [32, 32],
      innerSteps: 2,
      alpha: 0.05,
      support: 10,
      query: 30,
      seed: 3,
    };
    const result = await metaTrain(training, settings);
    console.log(
      `meta-training: ${settings.iterations} iterations in ${result.seconds.toFixed(2)} s ` +
        `(${((1000 * result.seconds) / settings.iterations).toFixed(1)} ms/iteration, 2x32, batch 4, 2 inner steps)`,
    );
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(result.curve.slice(-50))).toBeLessThan(0.5 * mean(result.curve.slice(0, 50)));
    const init = initMlp({ inputDim: heldOut.x[0]?.length as number, hidden: [32, 32] }, 3);
    const meta = adaptedLoss(result.params, heldOut, 10, 2, 0.05);
    const plain = adaptedLoss(init, heldOut, 10, 2, 0.05);
    console.log(
      `held-out post-adaptation MSE: meta-trained ${meta.toFixed(4)}, unmeta-trained ${plain.toFixed(4)}`,
    );
    expect(meta).toBeLessThan(0.5 * plain);
    disposeParams([...init, ...result.params]);
  });

  it('is deterministic for a seed and refuses tasks with too few points', async () => {
    const settings = { iterations: 3, hidden: [8], innerSteps: 1, seed: 9 };
    const a = await metaTrain(training.slice(0, 2), settings);
    const b = await metaTrain(training.slice(0, 2), settings);
    expect(a.curve).toEqual(b.curve);
    expect(serialiseParams(a.params)).toEqual(serialiseParams(b.params));
    disposeParams([...a.params, ...b.params]);
    const tiny: RegressionTask = {
      name: 'tiny',
      x: [[0], [1]],
      y: [0, 1],
      best: 1,
      infeasible: [],
      failed: [],
    };
    await expect(metaTrain([tiny], settings)).rejects.toThrow(/task "tiny" has 2 succeeded points/);
  });
});
