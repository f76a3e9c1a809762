import { Adam } from './adam.js';
import { ensureBackend, tf } from './backend.js';
import { DEFAULT_HIDDEN, disposeParams, forward, initMlp, type MlpParams, tileParams } from './mlp.js';
import { SeededRandom } from './random.js';
import type { RegressionTask } from './tasks.js';

export interface MamlSettings {
  /** Outer (meta) iterations. */
  iterations: number;
  /** Tasks per outer step. */
  metaBatch: number;
  /** K: support points per task (the inner loop fits these). */
  support: number;
  /** Query points per task (the adapted model is scored on these; disjoint from the support). */
  query: number;
  /** SGD steps of the inner loop. */
  innerSteps: number;
  /** α: the inner SGD step size. */
  alpha: number;
  /** β: the outer Adam step size. */
  beta: number;
  /** `second`: differentiate through the inner steps (nested gradients); `first`: FO-MAML. */
  order: 'first' | 'second';
  hidden: readonly number[];
  seed: number;
}

/**
 * Defaults: the paper's 2 x 128 network; 4 tasks per outer step, K = 10 support and 30 query points,
 * 3 inner SGD steps of α = 0.05 (targets are in [0, 1]: larger α diverged, smaller barely adapted), Adam
 * β = 1e-3, second order. On the 2-core development machine (WASM backend) one iteration takes
 * ~40–50 ms second order and ~30 ms first order, so 2000 iterations take 1–2 minutes; a 2 x 32
 * network with 2 inner steps takes ~10 ms.
 */
export const DEFAULT_MAML: Readonly<MamlSettings> = Object.freeze({
  iterations: 2000,
  metaBatch: 4,
  support: 10,
  query: 30,
  innerSteps: 3,
  alpha: 0.05,
  beta: 1e-3,
  order: 'second',
  hidden: DEFAULT_HIDDEN,
  seed: 1,
});

/** One meta-batch: T tasks' support and query sets, `[T, n, dim]` inputs and `[T, n, 1]` targets. */
export interface MetaBatch {
  xs: tf.Tensor3D;
  ys: tf.Tensor3D;
  xq: tf.Tensor3D;
  yq: tf.Tensor3D;
}

/** Σ over tasks of each task's mean squared error (so the gradient for task t is that task's own). */
function summedLoss(params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mean(tf.square(tf.sub(forward(params, x), y)), [1, 2]));
}

/** `steps` SGD steps of size `alpha` on (x, y), differentiable w.r.t. the starting weights. */
function innerLoop(params: MlpParams, x: tf.Tensor, y: tf.Tensor, steps: number, alpha: number): MlpParams {
  let current = params;
  for (let s = 0; s < steps; s++) {
    const grads = tf.grads((...p: tf.Tensor[]) => summedLoss(p, x, y))(current);
    current = current.map((p, i) => tf.sub(p, tf.mul(grads[i] as tf.Tensor, alpha)));
  }
  return current;
}

/**
 * The MAML meta-gradient of a batch: the gradient w.r.t. the shared initial weights θ of
 * `mean_t L_query,t(θ'_t)`, θ'_t = θ after `innerSteps` SGD steps on task t's support set.
 * Second order differentiates through the inner steps (the Hessian terms, by nested tf.grads); first
 * order (FO-MAML) takes ∇L_query at θ'_t as the gradient at θ. Returns the (pre-update) meta-loss too.
 * The caller disposes the gradients.
 */
export function metaGradient(
  params: readonly tf.Tensor[],
  batch: MetaBatch,
  settings: Pick<MamlSettings, 'innerSteps' | 'alpha' | 'order'>,
): { loss: number; grads: tf.Tensor[] } {
  const tasks = batch.xs.shape[0];
  return tf.tidy(() => {
    const outer = (adapted: MlpParams) => tf.div(summedLoss(adapted, batch.xq, batch.yq), tasks) as tf.Scalar;
    if (settings.order === 'second') {
      const { value, grads } = tf.valueAndGrads((...theta: tf.Tensor[]) =>
        outer(innerLoop(tileParams(theta, tasks), batch.xs, batch.ys, settings.innerSteps, settings.alpha)),
      )([...params]);
      return { loss: value.dataSync()[0] as number, grads };
    }
    const adapted = innerLoop(
      tileParams(params, tasks),
      batch.xs,
      batch.ys,
      settings.innerSteps,
      settings.alpha,
    );
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => outer(p))(adapted);
    // Each task's copy of θ' stands for θ: sum the T copies' gradients back onto θ's shapes.
    const folded = grads.map((g, i) => tf.reshape(tf.sum(g, 0), (params[i] as tf.Tensor).shape));
    return { loss: value.dataSync()[0] as number, grads: folded };
  });
}

/** Draws a meta-batch: `metaBatch` distinct tasks (cycling if there are fewer), K + Q distinct points each. */
export function sampleMetaBatch(
  tasks: readonly RegressionTask[],
  settings: Pick<MamlSettings, 'metaBatch' | 'support' | 'query'>,
  random: SeededRandom,
): MetaBatch {
  const order = random.sample(tasks.length, tasks.length);
  const dim = ((tasks[0] as RegressionTask).x[0] as number[]).length;
  const { support, query } = settings;
  const xs: number[] = [];
  const ys: number[] = [];
  const xq: number[] = [];
  const yq: number[] = [];
  for (let t = 0; t < settings.metaBatch; t++) {
    const task = tasks[order[t % order.length] as number] as RegressionTask;
    const n = task.x.length;
    // K + Q distinct points when the task has them; otherwise the query repeats points (never the support's).
    const picked = random.sample(n, Math.min(n, support + query));
    const supportIdx = picked.slice(0, support);
    const rest = picked.slice(support);
    for (const i of supportIdx) {
      xs.push(...(task.x[i] as number[]));
      ys.push(task.y[i] as number);
    }
    for (let q = 0; q < query; q++) {
      const i = rest[q % rest.length] as number;
      xq.push(...(task.x[i] as number[]));
      yq.push(task.y[i] as number);
    }
  }
  const T = settings.metaBatch;
  return {
    xs: tf.tensor3d(xs, [T, support, dim]),
    ys: tf.tensor3d(ys, [T, support, 1]),
    xq: tf.tensor3d(xq, [T, query, dim]),
    yq: tf.tensor3d(yq, [T, query, 1]),
  };
}

function disposeBatch(batch: MetaBatch): void {
  for (const t of [batch.xs, batch.ys, batch.xq, batch.yq]) t.dispose();
}

export interface MetaTrainResult {
  params: MlpParams;
  /** The meta-loss (query MSE after adaptation, mean over the batch) at every iteration, before its update. */
  curve: number[];
  seconds: number;
  settings: MamlSettings;
}

/**
 * MAML meta-training (Finn et al. 2017, as Morphling uses it): from seeded initial weights, repeat
 * `iterations` times — draw a batch of tasks, adapt to each task's K support points with a few SGD steps
 * (α), and move the initial weights with Adam (β) along the meta-gradient of the adapted models' loss
 * on the query points. All tasks must share one input dimension. Deterministic for a seed.
 */
export async function metaTrain(
  tasks: readonly RegressionTask[],
  options: Partial<MamlSettings> = {},
): Promise<MetaTrainResult> {
  await ensureBackend();
  const settings: MamlSettings = { ...DEFAULT_MAML, ...options };
  checkTasks(tasks, settings.support);
  const started = performance.now();
  const inputDim = ((tasks[0] as RegressionTask).x[0] as number[]).length;
  let params = initMlp({ inputDim, hidden: settings.hidden }, settings.seed);
  const random = new SeededRandom(settings.seed + 0x9e3779b9);
  const adam = new Adam(params, { learningRate: settings.beta });
  const curve: number[] = [];
  for (let iteration = 0; iteration < settings.iterations; iteration++) {
    const batch = sampleMetaBatch(tasks, settings, random);
    const { loss, grads } = metaGradient(params, batch, settings);
    disposeBatch(batch);
    const next = adam.step(params, grads);
    disposeParams(grads);
    disposeParams(params);
    params = next;
    curve.push(loss);
  }
  adam.dispose();
  return { params, curve, seconds: (performance.now() - started) / 1000, settings };
}

function checkTasks(tasks: readonly RegressionTask[], support: number): void {
  if (tasks.length === 0) throw new Error('meta-training needs at least one task');
  const dim = tasks[0]?.x[0]?.length;
  for (const task of tasks) {
    if (task.x.length <= support) {
      throw new Error(
        `task "${task.name}" has ${task.x.length} succeeded points; meta-training needs more than K = ${support}`,
      );
    }
    if (task.x.some((x) => x.length !== dim))
      throw new Error(`task "${task.name}" has inputs of another dimension`);
  }
}
