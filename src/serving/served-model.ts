import type { ModelMetadata, TensorMetadata } from './model-instance.js';

/** The one model a server serves: its public name, what onnxruntime reports about it, and value limits. */
export interface ServedModel {
  name: string;
  metadata: ModelMetadata;
  /** Exclusive upper bounds of integer inputs (token ids), when known from the zoo; enforced per request. */
  valueBounds: Record<string, number>;
}

/** Metadata that can be batched: every input and output has a symbolic (dynamic) dimension 0. */
export function assertBatchable(metadata: ModelMetadata): void {
  const fixed = [...metadata.inputs, ...metadata.outputs].filter(
    (tensor) => typeof tensor.shape[0] !== 'string',
  );
  if (fixed.length > 0) {
    const names = fixed.map((tensor: TensorMetadata) => `${tensor.name} ${JSON.stringify(tensor.shape)}`);
    throw new Error(
      `the server needs a dynamic first (batch) dimension on every input and output: ${names.join(', ')}`,
    );
  }
}
