import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestSchema } from '../../src/loadgen/options.js';
import { seededRandom } from '../../src/loadgen/random.js';
import { binaryInferBody, inferBody, prepareRequest } from '../../src/loadgen/request-body.js';

describe('inferBody', () => {
  it('builds a KServe v2 body with the batch dimension filled', () => {
    const body = inferBody(
      [
        { name: 'pixels', dtype: 'float32', shape: ['N', 3, 2, 2] },
        { name: 'ids', dtype: 'int64', shape: [-1, 4], range: [5, 10] },
      ],
      3,
      seededRandom(7),
    );
    const [pixels, ids] = body.inputs;
    expect(pixels).toMatchObject({ name: 'pixels', shape: [3, 3, 2, 2], datatype: 'FP32' });
    expect(pixels?.data).toHaveLength(36);
    expect(pixels?.data.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(ids).toMatchObject({ name: 'ids', shape: [3, 4], datatype: 'INT64' });
    expect(ids?.data).toHaveLength(12);
    expect(ids?.data.every((value) => Number.isInteger(value) && value >= 5 && value < 10)).toBe(true);
  });

  it('is reproducible from the seed and differs across seeds', () => {
    const inputs = [{ name: 'x', dtype: 'float32' as const, shape: ['N' as const, 8] }];
    expect(inferBody(inputs, 2, seededRandom(1))).toEqual(inferBody(inputs, 2, seededRandom(1)));
    expect(inferBody(inputs, 2, seededRandom(1))).not.toEqual(inferBody(inputs, 2, seededRandom(2)));
  });
});

describe('binaryInferBody', () => {
  it('is the JSON header with each input’s byte count, then the same values as raw little-endian bytes', () => {
    const inputs = [
      { name: 'pixels', dtype: 'float32' as const, shape: ['N' as const, 3] },
      { name: 'ids', dtype: 'int64' as const, shape: ['N' as const, 2], range: [0, 9] as [number, number] },
    ];
    const json = inferBody(inputs, 2, seededRandom(5));
    const { body, headerLength } = binaryInferBody(inputs, 2, seededRandom(5));
    const header = JSON.parse(Buffer.from(body.subarray(0, headerLength)).toString('utf8'));
    expect(header.inputs).toEqual([
      { name: 'pixels', shape: [2, 3], datatype: 'FP32', parameters: { binary_data_size: 24 } },
      { name: 'ids', shape: [2, 2], datatype: 'INT64', parameters: { binary_data_size: 32 } },
    ]);
    expect(body.length).toBe(headerLength + 24 + 32);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const floats = Array.from({ length: 6 }, (_, i) => view.getFloat32(headerLength + 4 * i, true));
    const ids = Array.from({ length: 4 }, (_, i) =>
      Number(view.getBigInt64(headerLength + 24 + 8 * i, true)),
    );
    expect(floats).toEqual(json.inputs[0]?.data.map((value) => Math.fround(value)));
    expect(ids).toEqual(json.inputs[1]?.data);
  });
});

describe('prepareRequest', () => {
  it('sends binary bodies with their header length and the octet-stream content type', async () => {
    const request = requestSchema.parse({
      path: '/v2/models/m/infer',
      source: {
        kind: 'signature',
        encoding: 'binary',
        inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }],
      },
    });
    const prepared = await prepareRequest(request, 3);
    expect(prepared.headers['content-type']).toBe('application/octet-stream');
    const headerLength = Number(prepared.headers['inference-header-content-length']);
    const bodies = Array.from({ length: 4 }, () => prepared.nextBody() as Uint8Array);
    expect(new Set(bodies.map((body) => Buffer.from(body).toString('hex'))).size).toBe(4);
    for (const body of bodies) expect(body.length).toBe(headerLength + 16);
  });

  it('rotates a few generated variants and sets the JSON content type', async () => {
    const request = requestSchema.parse({
      path: '/v2/models/m/infer',
      itemsPerRequest: 2,
      source: { kind: 'signature', inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }] },
    });
    const prepared = await prepareRequest(request, 3);
    expect(prepared.headers['content-type']).toBe('application/json');
    const bodies = Array.from({ length: 8 }, () => prepared.nextBody() as string);
    expect(new Set(bodies).size).toBe(4);
    expect(bodies[4]).toBe(bodies[0]);
    expect(JSON.parse(bodies[0] as string).inputs[0].shape).toEqual([2, 4]);
  });

  it('sends a template file byte for byte, and a fixed JSON body', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadgen-'));
    const path = join(dir, 'body.bin');
    await writeFile(path, Buffer.from([0, 1, 2, 255]));
    const fromFile = await prepareRequest(requestSchema.parse({ source: { kind: 'file', path } }), 1);
    expect(Array.from(fromFile.nextBody() as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect(fromFile.headers['content-type']).toBe('application/octet-stream');

    const fromJson = await prepareRequest(
      requestSchema.parse({
        source: { kind: 'json', body: { a: 1 } },
        headers: { 'content-type': 'text/plain' },
      }),
      1,
    );
    expect(fromJson.nextBody()).toBe('{"a":1}');
    // Headers given explicitly win over the inferred content type.
    expect(fromJson.headers['content-type']).toBe('text/plain');
  });

  it('has no body without a source', async () => {
    const prepared = await prepareRequest(requestSchema.parse({ method: 'GET' }), 1);
    expect(prepared.nextBody()).toBeUndefined();
  });
});
