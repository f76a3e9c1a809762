import { describe, expect, it } from 'vitest';
import { concatBatch, splitBatch } from '../../src/serving/tensor.js';

describe('concatBatch and splitBatch', () => {
  it('join along dimension 0 and cut back into the original pieces', () => {
    const a = { type: 'float32' as const, dims: [1, 2], data: Float32Array.of(1, 2) };
    const b = { type: 'float32' as const, dims: [2, 2], data: Float32Array.of(3, 4, 5, 6) };
    const joined = concatBatch([a, b]);
    expect(joined.dims).toEqual([3, 2]);
    expect([...joined.data]).toEqual([1, 2, 3, 4, 5, 6]);
    const [first, second] = splitBatch(joined, [1, 2]);
    expect(first).toEqual(a);
    expect(second).toEqual(b);
  });

  it('copy, so the pieces do not share memory with the batch', () => {
    const joined = concatBatch([{ type: 'int64', dims: [2], data: BigInt64Array.of(7n, 8n) }]);
    const [piece] = splitBatch(joined, [2]);
    joined.data[0] = 0n;
    expect([...(piece?.data ?? [])]).toEqual([7n, 8n]);
  });

  it('refuse an output whose first dimension is not the batch', () => {
    const tensor = { type: 'float32' as const, dims: [2, 2], data: new Float32Array(4) };
    expect(() => splitBatch(tensor, [1, 2])).toThrow(/2 rows along dimension 0, the batch had 3/);
  });

  it('refuse mixed element types', () => {
    const float = { type: 'float32' as const, dims: [1], data: new Float32Array(1) };
    const int = { type: 'int64' as const, dims: [1], data: new BigInt64Array(1) };
    expect(() => concatBatch([float, int])).toThrow(/mixed types/);
  });
});
