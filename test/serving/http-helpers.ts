import { buildModel, type ModelInfo } from '../../src/zoo/index.js';

export interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}

/** The JSON bodies the tests read; which fields exist depends on the route (an `error` on failures). */
export interface ReplyJson {
  error: string;
  model_name: string;
  outputs: OutputTensor[];
  [field: string]: unknown;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else an empty object. */
  body: ReplyJson;
}

export async function request(url: string, init?: RequestInit): Promise<HttpReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json');
  return { status: response.status, headers: response.headers, text, body: isJson ? JSON.parse(text) : {} };
}

export function postJson(url: string, body: unknown): Promise<HttpReply> {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A KServe infer body for a zoo model with `rows` samples of deterministic data. */
export function inferBody(model: string, rows: number, seed = 1) {
  const { input }: ModelInfo = buildModel(model).info;
  const shape = input.shape.map((dim) => (dim === -1 ? rows : dim));
  const size = shape.reduce((product, dim) => product * dim, 1);
  const data =
    input.dtype === 'int64'
      ? Array.from({ length: size }, (_, i) => (seed * 31 + i * 7) % (input.valueBound ?? 2))
      : Array.from({ length: size }, (_, i) => Math.round(Math.sin(seed * 1000 + i) * 1e4) / 1e4);
  return {
    inputs: [{ name: input.name, shape, datatype: input.dtype === 'int64' ? 'INT64' : 'FP32', data }],
  };
}
