import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend, tf } from '../../src/metamodel/backend.js';
import {
  architectureOf,
  DEFAULT_HIDDEN,
  deserialiseParams,
  disposeParams,
  forward,
  initMlp,
  predict,
  serialiseParams,
  tileParams,
} from '../../src/metamodel/mlp.js';

beforeAll(ensureBackend);

describe('mlp', () => {
  it('runs on the WebAssembly backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('is 2 x 128 ReLU by default and maps [n, dim] to [n, 1]', () => {
    const params = initMlp({ inputDim: 6, hidden: DEFAULT_HIDDEN }, 1);
    expect(params.map((p) => p.shape)).toEqual([[6, 128], [128], [128, 128], [128], [128, 1], [1]]);
    expect(architectureOf(params)).toEqual({ inputDim: 6, hidden: [128, 128] });
    const out = tf.tidy(() => forward(params, tf.ones([5, 6])));
    expect(out.shape).toEqual([5, 1]);
    out.dispose();
    expect(predict(params, [[0, 0, 0, 0, 0, 0]])).toHaveLength(1);
    disposeParams(params);
  });

  it('batches T copies of the weights: [T, n, dim] -> [T, n, 1], each copy equal to the single network', () => {
    const params = initMlp({ inputDim: 3, hidden: [8, 4] }, 2);
    const x = tf.randomUniform([2, 5, 3], 0, 1, 'float32', 7);
    const batched = tf.tidy(() => forward(tileParams(params, 2), x));
    expect(batched.shape).toEqual([2, 5, 1]);
    const single = tf.tidy(() => forward(params, tf.reshape(tf.slice(x, [1, 0, 0], [1, 5, 3]), [5, 3])));
    const second = tf.tidy(() => tf.reshape(tf.slice(batched, [1, 0, 0], [1, 5, 1]), [5, 1]));
    expect(Array.from(second.dataSync())).toEqual(Array.from(single.dataSync()));
    disposeParams([x, batched, single, second, ...params]);
  });

  it('initialises reproducibly from a seed (He-normal weights, zero biases)', () => {
    const a = serialiseParams(initMlp({ inputDim: 4, hidden: [16, 16] }, 42));
    const b = serialiseParams(initMlp({ inputDim: 4, hidden: [16, 16] }, 42));
    const c = serialiseParams(initMlp({ inputDim: 4, hidden: [16, 16] }, 43));
    expect(a).toEqual(b);
    expect(a[0]?.values).not.toEqual(c[0]?.values);
    expect(a[1]?.values.every((v) => v === 0)).toBe(true);
    const w = a[2]?.values as number[];
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(sd).toBeGreaterThan(0.8 * Math.sqrt(2 / 16));
    expect(sd).toBeLessThan(1.2 * Math.sqrt(2 / 16));
  });

  it('serialises and restores weights exactly, and rejects inconsistent shapes', () => {
    const params = initMlp({ inputDim: 3, hidden: [5] }, 3);
    const restored = deserialiseParams(serialiseParams(params));
    expect(serialiseParams(restored)).toEqual(serialiseParams(params));
    expect(() => deserialiseParams([{ shape: [2, 2], values: [1, 2, 3] }])).toThrow(/needs 4 values/);
    expect(() =>
      deserialiseParams([
        { shape: [2, 3], values: [0, 0, 0, 0, 0, 0] },
        { shape: [3], values: [0, 0, 0] },
        { shape: [4, 1], values: [0, 0, 0, 0] },
        { shape: [1], values: [0] },
      ]),
    ).toThrow(/does not chain/);
    disposeParams([...params, ...restored]);
  });
});
