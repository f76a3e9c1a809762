/**
 * The Open Inference Protocol (KServe v2) REST payloads: request parsing and validation against the served
 * model, and the response bodies. Only what the server supports: FP32 and INT64 tensors with flat or nested
 * JSON data, or as binary data after a JSON header (the binary tensor data extension, for inputs;
 * responses are JSON).
 */
import { z } from 'zod';
import { SpecError, type SpecProblem } from '../errors.js';
import type { ServedModel } from './served-model.js';
import { elementCount, type HostTensor, type TensorMap, type TensorType } from './tensor.js';

const DATATYPES: Record<string, TensorType> = { FP32: 'float32', INT64: 'int64' };

/** onnxruntime element type names to protocol datatypes, for metadata of any model file. */
const PROTOCOL_DATATYPES: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int64: 'INT64',
  int32: 'INT32',
  int16: 'INT16',
  int8: 'INT8',
  uint64: 'UINT64',
  uint32: 'UINT32',
  uint16: 'UINT16',
  uint8: 'UINT8',
  bool: 'BOOL',
  string: 'BYTES',
};

const parameters = z.record(z.string(), z.unknown()).optional();

const requestSchema = z.object({
  id: z.string().optional(),
  parameters,
  inputs: z
    .array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().min(0)),
        datatype: z.string(),
        parameters,
        // Checked element by element while flattening: zod per element would be slow for image batches.
        // Absent when the tensor travels as binary data after the JSON header (binary_data_size).
        data: z.array(z.unknown()).optional(),
      }),
    )
    .min(1),
  outputs: z.array(z.object({ name: z.string(), parameters })).optional(),
});

export interface InferRequest {
  id?: string;
  inputs: TensorMap;
  /** Outputs the client asked for; all of them when absent. */
  outputNames?: string[];
}

export function protocolDatatype(type: string): string {
  return PROTOCOL_DATATYPES[type] ?? type.toUpperCase();
}

/** Dimension list for the protocol: symbolic dimensions become -1. */
function protocolShape(shape: ReadonlyArray<number | string>): number[] {
  return shape.map((dim) => (typeof dim === 'number' ? dim : -1));
}

export function modelMetadataBody(model: ServedModel) {
  const describe = (tensor: { name: string; type: string; shape: Array<number | string> }) => ({
    name: tensor.name,
    datatype: protocolDatatype(tensor.type),
    shape: protocolShape(tensor.shape),
  });
  return {
    name: model.name,
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: model.metadata.inputs.map(describe),
    outputs: model.metadata.outputs.map(describe),
  };
}

/** Bytes per element of the tensor types the server takes as binary data. */
const ELEMENT_BYTES: Record<TensorType, number> = { float32: 4, int64: 8 };

/**
 * Validates an infer request body against the model; throws `SpecError` listing every problem found.
 * `binary` is what followed the JSON header in a request of the binary tensor data extension
 * (`Inference-Header-Content-Length`): the raw little-endian data of each input whose
 * `parameters.binary_data_size` is set, in the order of the inputs.
 */
export function parseInferRequest(body: unknown, model: ServedModel, binary?: Uint8Array): InferRequest {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    throw new SpecError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message })),
    );
  }
  const problems: SpecProblem[] = [];
  const inputs: TensorMap = {};
  let binaryOffset = 0;
  parsed.data.inputs.forEach((input, index) => {
    const path = `inputs[${index}]`;
    const expected = model.metadata.inputs.find((candidate) => candidate.name === input.name);
    if (!expected) {
      problems.push({ path: `${path}.name`, message: `model has no input '${input.name}'` });
      return;
    }
    if (inputs[input.name]) {
      problems.push({ path: `${path}.name`, message: `input '${input.name}' given twice` });
      return;
    }
    const binarySize = input.parameters?.binary_data_size;
    let values: unknown[] | Uint8Array | undefined = input.data;
    if (binarySize !== undefined) {
      if (!Number.isSafeInteger(binarySize) || (binarySize as number) < 0) {
        problems.push({ path: `${path}.parameters.binary_data_size`, message: 'must be a byte count' });
        return;
      }
      const end = binaryOffset + (binarySize as number);
      if (!binary || end > binary.length) {
        const available = (binary?.length ?? 0) - binaryOffset;
        const message = `needs ${binarySize} bytes of binary data, ${Math.max(0, available)} are left`;
        problems.push({ path: `${path}.parameters.binary_data_size`, message });
        return;
      }
      values = binary.subarray(binaryOffset, end);
      binaryOffset = end;
    }
    if (values === undefined) {
      problems.push({ path: `${path}.data`, message: 'no data, and no parameters.binary_data_size' });
      return;
    }
    const tensor = toTensor(
      { ...input, data: values },
      expected,
      model.valueBounds[input.name],
      path,
      problems,
    );
    if (tensor) inputs[input.name] = tensor;
  });
  if (binary && binaryOffset !== binary.length) {
    problems.push({
      path: 'inputs',
      message: `${binary.length - binaryOffset} bytes of binary data belong to no input (binary_data_size)`,
    });
  }
  for (const expected of model.metadata.inputs) {
    if (!parsed.data.inputs.some((input) => input.name === expected.name)) {
      problems.push({ path: 'inputs', message: `missing input '${expected.name}'` });
    }
  }
  const outputNames = parsed.data.outputs?.map((output) => output.name);
  for (const name of outputNames ?? []) {
    if (!model.metadata.outputs.some((output) => output.name === name)) {
      problems.push({ path: 'outputs', message: `model has no output '${name}'` });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return { id: parsed.data.id, inputs, outputNames };
}

function toTensor(
  input: { shape: number[]; datatype: string; data: unknown[] | Uint8Array },
  expected: { type: string; shape: Array<number | string> },
  valueBound: number | undefined,
  path: string,
  problems: SpecProblem[],
): HostTensor | undefined {
  const type = DATATYPES[input.datatype];
  if (!type) {
    problems.push({
      path: `${path}.datatype`,
      message: `unsupported datatype '${input.datatype}' (use FP32 or INT64)`,
    });
    return undefined;
  }
  if (type !== expected.type) {
    const wanted = protocolDatatype(expected.type);
    problems.push({
      path: `${path}.datatype`,
      message: `is ${input.datatype}, the model input is ${wanted}`,
    });
    return undefined;
  }
  const wantedShape = protocolShape(expected.shape);
  const shapeFits =
    input.shape.length === wantedShape.length &&
    input.shape.every((dim, axis) => (wantedShape[axis] === -1 ? dim >= 1 : dim === wantedShape[axis]));
  if (!shapeFits) {
    const message = `shape ${JSON.stringify(input.shape)} does not fit the model's ${JSON.stringify(wantedShape)} (-1: any size >= 1)`;
    problems.push({ path: `${path}.shape`, message });
    return undefined;
  }
  const size = elementCount(input.shape);
  if (input.data instanceof Uint8Array) {
    const data = fromBytes(input.data, type, size, valueBound);
    if (typeof data === 'string') {
      problems.push({ path: `${path}.parameters.binary_data_size`, message: data });
      return undefined;
    }
    return { type, dims: input.shape, data };
  }
  const values = input.data.flat(Number.POSITIVE_INFINITY) as unknown[];
  if (values.length !== size) {
    problems.push({
      path: `${path}.data`,
      message: `has ${values.length} values, shape ${JSON.stringify(input.shape)} needs ${size}`,
    });
    return undefined;
  }
  const data = type === 'float32' ? toFloat32(values) : toInt64(values, valueBound);
  if (typeof data === 'string') {
    problems.push({ path: `${path}.data`, message: data });
    return undefined;
  }
  return { type, dims: input.shape, data };
}

/** A copy of raw little-endian tensor bytes (the copy also aligns them for the typed array). */
function fromBytes(
  bytes: Uint8Array,
  type: TensorType,
  size: number,
  bound: number | undefined,
): Float32Array | BigInt64Array | string {
  const wanted = size * ELEMENT_BYTES[type];
  if (bytes.length !== wanted) return `is ${bytes.length} bytes, the shape needs ${wanted}`;
  const data = type === 'float32' ? new Float32Array(size) : new BigInt64Array(size);
  new Uint8Array(data.buffer).set(bytes);
  if (data instanceof BigInt64Array && bound !== undefined) {
    const index = data.findIndex((value) => value < 0n || value >= BigInt(bound));
    if (index >= 0)
      return `value ${index} is ${data[index]}, outside the model's valid range 0..${bound - 1}`;
  }
  return data;
}

function toFloat32(values: unknown[]): Float32Array | string {
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number') return `value ${i} is ${JSON.stringify(value)}, not a number`;
    data[i] = value;
  }
  return data;
}

function toInt64(values: unknown[], bound: number | undefined): BigInt64Array | string {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      return `value ${i} is ${JSON.stringify(value)}, not an integer`;
    }
    if (bound !== undefined && (value < 0 || value >= bound)) {
      return `value ${i} is ${value}, outside the model's valid range 0..${bound - 1}`;
    }
    data[i] = BigInt(value);
  }
  return data;
}

export function inferResponseBody(model: ServedModel, request: InferRequest, outputs: TensorMap) {
  const names = request.outputNames ?? model.metadata.outputs.map((output) => output.name);
  return {
    model_name: model.name,
    model_version: '1',
    ...(request.id !== undefined ? { id: request.id } : {}),
    outputs: names.map((name) => {
      const tensor = outputs[name];
      if (!tensor) throw new Error(`model run returned no output '${name}'`);
      return {
        name,
        datatype: protocolDatatype(tensor.type),
        shape: tensor.dims,
        data: Array.from(tensor.data, Number),
      };
    }),
  };
}
