/**
 * Tensors as the server moves them between HTTP, the batcher and the onnxruntime workers: plain typed
 * arrays plus dims, which cross a worker boundary by transfer without copying.
 */
export type TensorType = 'float32' | 'int64';

export interface HostTensor {
  type: TensorType;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export type TensorMap = Record<string, HostTensor>;

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

function allocate(type: TensorType, length: number): Float32Array | BigInt64Array {
  return type === 'float32' ? new Float32Array(length) : new BigInt64Array(length);
}

/** Joins tensors along dimension 0. They must share type and all other dimensions (the batcher ensures it). */
export function concatBatch(parts: readonly HostTensor[]): HostTensor {
  const [first] = parts;
  if (!first) throw new Error('concatBatch: nothing to join');
  const rows = parts.reduce((sum, part) => sum + (part.dims[0] ?? 0), 0);
  const dims = [rows, ...first.dims.slice(1)];
  const data = allocate(first.type, elementCount(dims));
  let offset = 0;
  for (const part of parts) {
    // The type guard keeps Float32Array and BigInt64Array apart; `set` across them would throw.
    if (part.type !== first.type) throw new Error(`concatBatch: mixed types ${first.type} and ${part.type}`);
    (data as Float32Array).set(part.data as Float32Array, offset);
    offset += part.data.length;
  }
  return { type: first.type, dims, data };
}

/** Cuts a batched tensor back into consecutive pieces of `rows[i]` samples each (copies, so each owns its data). */
export function splitBatch(tensor: HostTensor, rows: readonly number[]): HostTensor[] {
  const total = rows.reduce((sum, count) => sum + count, 0);
  if (tensor.dims[0] !== total) {
    throw new Error(
      `splitBatch: output has ${tensor.dims[0]} rows along dimension 0, the batch had ${total}`,
    );
  }
  const rowSize = elementCount(tensor.dims.slice(1));
  let start = 0;
  return rows.map((count) => {
    const data = tensor.data.slice(start * rowSize, (start + count) * rowSize);
    start += count;
    return { type: tensor.type, dims: [count, ...tensor.dims.slice(1)], data };
  });
}
