import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamicBatcher } from '../../src/serving/batcher.js';
import { ModelInstance } from '../../src/serving/model-instance.js';
import type { HostTensor, TensorMap } from '../../src/serving/tensor.js';
import { ensureModelFile } from '../../src/zoo/index.js';

function features(rows: number, seed: number): TensorMap {
  const data = Float32Array.from({ length: rows * 64 }, (_, i) => Math.sin(seed * 1000 + i));
  return { input: { type: 'float32', dims: [rows, 64], data } };
}

/** A copy, because `ModelInstance.run` transfers (detaches) its input buffers. */
function copy(inputs: TensorMap): TensorMap {
  const input = inputs.input;
  return input ? { input: { ...input, dims: [...input.dims], data: input.data.slice() } } : {};
}

describe('DynamicBatcher with a real onnxruntime instance (mlp-tiny)', () => {
  let dir: string;
  let instance: ModelInstance;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'batcher-onnx-'));
    instance = await ModelInstance.start({
      modelPath: await ensureModelFile('mlp-tiny', dir),
      intraOpThreads: 1,
      intraOpSpinning: false,
    });
  });
  afterAll(async () => {
    await instance?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the model metadata with a symbolic batch dimension', () => {
    expect(instance.metadata).toEqual({
      inputs: [{ name: 'input', type: 'float32', shape: ['N', 64] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['N', 10] }],
    });
  });

  it('gives each request of a merged batch the same numbers as running it alone', async () => {
    const requests = [1, 2, 1, 3, 1].map((rows, seed) => features(rows, seed));
    const alone: Array<HostTensor | undefined> = [];
    for (const inputs of requests) alone.push((await instance.run(copy(inputs))).outputs.logits);

    const batcher = new DynamicBatcher([instance], { maxBatchSize: 8, batchDelayMs: 50 });
    const batched = await Promise.all(requests.map((inputs) => batcher.submit(inputs)));

    batched.forEach((result, index) => {
      expect(result.batchSize).toBe(8);
      expect(result.computeMs).toBeGreaterThan(0);
      const expected = alone[index];
      expect(result.outputs.logits?.dims).toEqual(expected?.dims);
      const actual = [...(result.outputs.logits?.data ?? [])];
      expect(actual).toEqual([...(expected?.data ?? [])].map((value) => expect.closeTo(Number(value), 5)));
    });
    // Distinct inputs give distinct rows: a split that mixed up requests would fail the check above.
    expect(batched[0]?.outputs.logits?.data).not.toEqual(batched[2]?.outputs.logits?.data);
  });

  it('turns an onnxruntime failure into a rejected run and keeps working', async () => {
    const wrong: TensorMap = { input: { type: 'float32', dims: [1, 63], data: new Float32Array(63) } };
    await expect(instance.run(wrong)).rejects.toThrow(/onnxruntime: .*/);
    await expect(instance.run(features(1, 9))).resolves.toMatchObject({
      outputs: { logits: { dims: [1, 10] } },
    });
  });
});
