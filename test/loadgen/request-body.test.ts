import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestSchema } from '../../src/loadgen/options.js';
import { seededRandom } from '../../src/loadgen/random.js';
import { inferBody, prepareRequest } from '../../src/loadgen/request-body.js';

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

describe('prepareRequest', () => {
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
