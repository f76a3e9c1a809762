import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend, tf } from '../../src/metamodel/backend.js';
import { fineTune } from '../../src/metamodel/finetune.js';
import { disposeParams, initMlp, predict, serialiseParams } from '../../src/metamodel/mlp.js';

beforeAll(ensureBackend);

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [0.5, 0.5],
  [0.2, 0.8],
];
const y = x.map(([a, b]) => 0.3 + 0.5 * (a as number) * (b as number));

describe('fineTune', () => {
  it('reduces the loss on the observed points (SGD and Adam) and leaves the input weights alone', () => {
    const params = initMlp({ inputDim: 2, hidden: [32, 32] }, 5);
    const before = serialiseParams(params);
    for (const optimizer of ['sgd', 'adam'] as const) {
      const tuned = fineTune(params, x, y, {
        steps: 50,
        learningRate: optimizer === 'sgd' ? 0.05 : 0.01,
        optimizer,
      });
      expect(tuned.losses).toHaveLength(51);
      expect(tuned.losses[50] as number).toBeLessThan(0.2 * (tuned.losses[0] as number));
      disposeParams([...tuned.params, ...tuned.previous]);
    }
    expect(serialiseParams(params)).toEqual(before);
    disposeParams(params);
  });

  it("returns the previous step's weights: predictions differ by the last step only", () => {
    const params = initMlp({ inputDim: 2, hidden: [8] }, 6);
    const tuned = fineTune(params, x, y, { steps: 3, learningRate: 0.05 });
    const again = fineTune(params, x, y, { steps: 2, learningRate: 0.05 });
    expect(serialiseParams(tuned.previous)).toEqual(serialiseParams(again.params));
    const f = predict(tuned.params, x);
    const fPrevious = predict(tuned.previous, x);
    expect(f.some((v, i) => v !== fPrevious[i])).toBe(true);
    const none = fineTune(params, x, y, { steps: 0, learningRate: 0.05 });
    expect(serialiseParams(none.params)).toEqual(serialiseParams(params));
    expect(serialiseParams(none.previous)).toEqual(serialiseParams(params));
    disposeParams([...params, ...tuned.params, ...tuned.previous, ...again.params, ...again.previous]);
    disposeParams([...none.params, ...none.previous]);
  });

  it('does not leak tensors', () => {
    const params = initMlp({ inputDim: 2, hidden: [8] }, 7);
    const before = tf.memory().numTensors;
    const tuned = fineTune(params, x, y, { steps: 5, learningRate: 0.05, optimizer: 'adam' });
    disposeParams([...tuned.params, ...tuned.previous]);
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
  });
});
