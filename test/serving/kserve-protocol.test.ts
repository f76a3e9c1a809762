import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import {
  inferResponseBody,
  modelMetadataBody,
  parseInferRequest,
} from '../../src/serving/kserve-protocol.js';
import type { ServedModel } from '../../src/serving/served-model.js';

const model: ServedModel = {
  name: 'two-inputs',
  metadata: {
    inputs: [
      { name: 'ids', type: 'int64', shape: ['N', 3] },
      { name: 'x', type: 'float32', shape: ['N', 2] },
    ],
    outputs: [
      { name: 'y', type: 'float32', shape: ['N', 1] },
      { name: 'z', type: 'int64', shape: ['N'] },
    ],
  },
  valueBounds: { ids: 10 },
};

const valid = {
  id: 'r1',
  inputs: [
    { name: 'ids', shape: [1, 3], datatype: 'INT64', data: [1, 2, 9] },
    { name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.5, -1] },
  ],
};

function problemsOf(body: unknown): string {
  try {
    parseInferRequest(body, model);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message;
  }
  throw new Error('expected the request to be rejected');
}

describe('KServe v2 protocol', () => {
  it('describes the model with protocol datatypes and -1 for the batch dimension', () => {
    expect(modelMetadataBody(model)).toMatchObject({
      name: 'two-inputs',
      inputs: [
        { name: 'ids', datatype: 'INT64', shape: [-1, 3] },
        { name: 'x', datatype: 'FP32', shape: [-1, 2] },
      ],
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [-1, 1] },
        { name: 'z', datatype: 'INT64', shape: [-1] },
      ],
    });
  });

  it('turns a valid request into typed tensors', () => {
    const request = parseInferRequest(valid, model);
    expect(request.id).toBe('r1');
    expect(request.inputs.ids).toEqual({ type: 'int64', dims: [1, 3], data: BigInt64Array.of(1n, 2n, 9n) });
    expect(request.inputs.x).toEqual({ type: 'float32', dims: [1, 2], data: Float32Array.of(0.5, -1) });
  });

  it('accepts nested data in row-major order', () => {
    const nested = {
      inputs: [
        valid.inputs[0],
        {
          name: 'x',
          shape: [2, 2],
          datatype: 'FP32',
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    };
    const ids = { name: 'ids', shape: [2, 3], datatype: 'INT64', data: [1, 2, 3, 4, 5, 6] };
    nested.inputs[0] = ids;
    expect([...(parseInferRequest(nested, model).inputs.x?.data ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['a body without inputs', {}, /inputs/],
    ['an unknown input', { inputs: [...valid.inputs, { ...valid.inputs[1], name: 'w' }] }, /no input 'w'/],
    ['a missing input', { inputs: [valid.inputs[0]] }, /missing input 'x'/],
    [
      'an unsupported datatype',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], datatype: 'FP16' }] },
      /FP16/,
    ],
    [
      'the wrong datatype',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], datatype: 'INT64' }] },
      /is INT64, the model input is FP32/,
    ],
    [
      'a wrong fixed dimension',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], shape: [1, 3] }] },
      /shape \[1,3\] does not fit/,
    ],
    [
      'an empty batch',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], shape: [0, 2], data: [] }] },
      /shape \[0,2\]/,
    ],
    [
      'too few values',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], data: [1] }] },
      /has 1 values, shape \[1,2\] needs 2/,
    ],
    [
      'a string value',
      { inputs: [valid.inputs[0], { ...valid.inputs[1], data: [1, 'a'] }] },
      /value 1 is "a", not a number/,
    ],
    [
      'a fractional id',
      { inputs: [{ ...valid.inputs[0], data: [1, 2.5, 3] }, valid.inputs[1]] },
      /not an integer/,
    ],
    [
      'an id out of range',
      { inputs: [{ ...valid.inputs[0], data: [1, 2, 10] }, valid.inputs[1]] },
      /outside .* 0..9/,
    ],
    ['an unknown requested output', { ...valid, outputs: [{ name: 'q' }] }, /no output 'q'/],
  ])('rejects %s with a clear message', (_case, body, message) => {
    expect(problemsOf(body)).toMatch(message);
  });

  it('answers with the requested outputs only, int64 as plain numbers', () => {
    const request = parseInferRequest({ ...valid, outputs: [{ name: 'z' }] }, model);
    const outputs = {
      y: { type: 'float32' as const, dims: [1, 1], data: Float32Array.of(0.25) },
      z: { type: 'int64' as const, dims: [1], data: BigInt64Array.of(42n) },
    };
    expect(inferResponseBody(model, request, outputs)).toEqual({
      model_name: 'two-inputs',
      model_version: '1',
      id: 'r1',
      outputs: [{ name: 'z', datatype: 'INT64', shape: [1], data: [42] }],
    });
  });
});
