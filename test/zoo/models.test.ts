import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, listModels, type ModelInfo } from '../../src/zoo/index.js';

function sampleInput(info: ModelInfo, batch: number): ort.Tensor {
  const dims = info.input.shape.map((dim) => (dim === -1 ? batch : dim));
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (info.input.dtype === 'int64') {
    const bound = info.input.valueBound ?? 2;
    return new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: size }, (_, i) => BigInt((i * 7) % bound)),
      dims,
    );
  }
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: size }, (_, i) => Math.sin(i)),
    dims,
  );
}

// The model families of the paper's corpus (TensorFlow Hub / Keras applications), as zoo family names.
const PAPER_FAMILIES = [
  'resnet',
  'nasnet',
  'vgg',
  'inception',
  'densenet',
  'mobilenet',
  'efficientnet',
  'bert',
  'albert',
  'elmo',
  'nnlm',
  'small-bert',
  'word2vec',
  'electra',
  'use',
];

describe('zoo models', () => {
  it('lists the tiny models the examples use', () => {
    expect(listModels()).toEqual(
      expect.arrayContaining(['bert-tiny', 'mlp-tiny', 'mobilenet-tiny', 'resnet-tiny']),
    );
  });

  it("covers the paper's 15 families with at least 36 models", () => {
    const families = new Set(listModels().map((name) => buildModel(name).info.family));
    for (const family of PAPER_FAMILIES) expect(families).toContain(family);
    expect(listModels().length).toBeGreaterThanOrEqual(36);
  });

  it('rejects an unknown name with the known ones listed', () => {
    expect(() => buildModel('nope')).toThrow(/unknown zoo model 'nope'.*mlp-tiny/);
  });

  describe.each(listModels())('%s', (name) => {
    const { bytes, info } = buildModel(name);

    it('describes itself', () => {
      expect(info.name).toBe(name);
      expect(info.params).toBeGreaterThan(1000);
      expect(info.flopsPerSample).toBeGreaterThan(info.params);
      expect(info.input.shape[0]).toBe(-1);
      expect(info.output.shape[0]).toBe(-1);
    });

    it('runs in onnxruntime at batch 1 and 4 with a dynamic batch dimension', async () => {
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      try {
        expect(session.inputNames).toEqual([info.input.name]);
        expect(session.outputNames).toEqual([info.output.name]);
        const outputs: Float32Array[] = [];
        for (const batch of [1, 4]) {
          const result = await session.run({ [info.input.name]: sampleInput(info, batch) });
          const output = result[info.output.name];
          expect(output?.dims).toEqual(info.output.shape.map((dim) => (dim === -1 ? batch : dim)));
          const data = output?.data as Float32Array;
          expect(data.every(Number.isFinite)).toBe(true);
          outputs.push(data);
        }
        // Sample 0 is the same in both batches, so its result must not depend on the batch size.
        const [single, batched] = outputs;
        const rowSize = single?.length ?? 0;
        expect(Array.from(batched?.subarray(0, rowSize) ?? [])).toEqual(
          Array.from(single ?? []).map((value) => expect.closeTo(value, 4)),
        );
        // Random weights must still give distinct outputs for distinct inputs, not a constant.
        expect(batched?.subarray(rowSize, 2 * rowSize)).not.toEqual(single);
      } finally {
        await session.release();
      }
    });
  });
});
