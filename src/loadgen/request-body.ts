import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { InputSignature, RequestSettings, RequestSource } from './options.js';
import { type Random, seededRandom } from './random.js';

/** A request ready to be sent many times: bodies are built once, before the clock starts. */
export interface PreparedRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly itemsPerRequest: number;
  /** Returns the body of the next request (bodies rotate), or undefined for a request without one. */
  nextBody(): string | Uint8Array | undefined;
}

/**
 * Generated bodies come in a few variants with different random data, so a server that caches by
 * input cannot serve the whole test from its cache; large bodies get one variant to bound memory.
 */
const GENERATED_VARIANTS = 4;
const LARGE_BODY_CHARS = 4 * 1024 * 1024;

export async function prepareRequest(request: RequestSettings, seed: number): Promise<PreparedRequest> {
  const built = await buildBodies(request.source, request.itemsPerRequest, seed);
  const { bodies, contentType } = built;
  const headers: Record<string, string> = { ...built.headers };
  if (contentType) headers['content-type'] = contentType;
  Object.assign(headers, request.headers);
  let next = 0;
  return {
    method: request.method,
    path: request.path,
    headers,
    itemsPerRequest: request.itemsPerRequest,
    nextBody() {
      if (bodies.length === 0) return undefined;
      const body = bodies[next % bodies.length];
      next++;
      return body;
    },
  };
}

async function buildBodies(
  source: RequestSource | undefined,
  itemsPerRequest: number,
  seed: number,
): Promise<{ bodies: (string | Uint8Array)[]; contentType?: string; headers?: Record<string, string> }> {
  if (!source) return { bodies: [] };
  switch (source.kind) {
    case 'json':
      return { bodies: [JSON.stringify(source.body)], contentType: 'application/json' };
    case 'file': {
      const bytes = new Uint8Array(await readFile(source.path));
      const contentType =
        source.contentType ??
        (extname(source.path) === '.json' ? 'application/json' : 'application/octet-stream');
      return { bodies: [bytes], contentType };
    }
    case 'signature': {
      const random = seededRandom(seed);
      if (source.encoding === 'binary') {
        const bodies = [binaryInferBody(source.inputs, itemsPerRequest, random)];
        const first = bodies[0] as { body: Uint8Array; headerLength: number };
        if (first.body.length <= LARGE_BODY_CHARS) {
          while (bodies.length < GENERATED_VARIANTS)
            bodies.push(binaryInferBody(source.inputs, itemsPerRequest, random));
        }
        return {
          bodies: bodies.map((variant) => variant.body),
          contentType: 'application/octet-stream',
          // Every variant has the same JSON header (shapes and sizes only), so one header fits them all.
          headers: { 'inference-header-content-length': String(first.headerLength) },
        };
      }
      const bodies = [JSON.stringify(inferBody(source.inputs, itemsPerRequest, random))];
      const first = bodies[0] as string;
      if (first.length <= LARGE_BODY_CHARS) {
        while (bodies.length < GENERATED_VARIANTS) {
          bodies.push(JSON.stringify(inferBody(source.inputs, itemsPerRequest, random)));
        }
      }
      return { bodies, contentType: 'application/json' };
    }
  }
}

/** One KServe v2 tensor of an infer request. */
export interface InferInputTensor {
  name: string;
  shape: number[];
  datatype: 'FP32' | 'INT64';
  data: number[];
}

/** A KServe v2 / Open Inference Protocol infer body with `itemsPerRequest` samples in the batch dimension. */
export function inferBody(
  inputs: readonly InputSignature[],
  itemsPerRequest: number,
  random: Random,
): { inputs: InferInputTensor[] } {
  return {
    inputs: inputs.map((input) => {
      const shape = input.shape.map((dim) => (dim === 'N' || dim === -1 ? itemsPerRequest : dim));
      const size = shape.reduce((product, dim) => product * dim, 1);
      return input.dtype === 'float32'
        ? {
            name: input.name,
            shape,
            datatype: 'FP32',
            data: randomFloats(size, input.range ?? [0, 1], random),
          }
        : {
            name: input.name,
            shape,
            datatype: 'INT64',
            data: randomIntegers(size, input.range ?? [0, 2], random),
          };
    }),
  };
}

/** The same request in the binary tensor data extension (see `encodeBinaryInferBody`). */
export function binaryInferBody(
  inputs: readonly InputSignature[],
  itemsPerRequest: number,
  random: Random,
): { body: Uint8Array; headerLength: number } {
  return encodeBinaryInferBody(inferBody(inputs, itemsPerRequest, random).inputs);
}

/**
 * KServe v2 tensors in the binary tensor data extension: a JSON header that names each input with its
 * `binary_data_size`, then the inputs' raw little-endian bytes in order. The body goes with an
 * `Inference-Header-Content-Length: headerLength` header.
 */
export function encodeBinaryInferBody(tensors: readonly InferInputTensor[]): {
  body: Uint8Array;
  headerLength: number;
} {
  const encoded = tensors.map((tensor) => {
    const typed =
      tensor.datatype === 'FP32'
        ? Float32Array.from(tensor.data)
        : BigInt64Array.from(tensor.data, (value) => BigInt(value));
    return { tensor, bytes: new Uint8Array(typed.buffer) };
  });
  const header = Buffer.from(
    JSON.stringify({
      inputs: encoded.map(({ tensor, bytes }) => ({
        name: tensor.name,
        shape: tensor.shape,
        datatype: tensor.datatype,
        parameters: { binary_data_size: bytes.length },
      })),
    }),
  );
  const body = Buffer.concat([header, ...encoded.map(({ bytes }) => bytes)]);
  return { body, headerLength: header.length };
}

function randomFloats(size: number, [low, high]: [number, number], random: Random): number[] {
  // Four decimals are plenty for synthetic inputs and keep JSON bodies (and the client's work) small.
  return Array.from({ length: size }, () => Math.floor((low + random() * (high - low)) * 1e4) / 1e4);
}

function randomIntegers(size: number, [low, high]: [number, number], random: Random): number[] {
  const lowest = Math.ceil(low);
  const span = Math.max(1, Math.ceil(high) - lowest);
  return Array.from({ length: size }, () => lowest + Math.floor(random() * span));
}
