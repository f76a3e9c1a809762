import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinaryInferBody, type InferInputTensor } from '../../src/loadgen/request-body.js';
import { type RunningServer, startServer } from '../../src/serving/server.js';
import { buildModel } from '../../src/zoo/index.js';
import { inferBody, postJson, request } from './http-helpers.js';

describe('model server over HTTP (mlp-tiny, batching on)', () => {
  let server: RunningServer;
  let infer: string;

  beforeAll(async () => {
    server = await startServer({ modelName: 'mlp-tiny', port: 0, maxBatchSize: 8, batchDelayMs: 40 });
    infer = `${server.url}/v2/models/mlp-tiny/infer`;
  });
  afterAll(() => server?.close());

  it('listens on the port the OS picked', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers liveness and readiness', async () => {
    expect(await request(`${server.url}/v2/health/live`)).toMatchObject({
      status: 200,
      body: { live: true },
    });
    expect(await request(`${server.url}/v2/health/ready`)).toMatchObject({
      status: 200,
      body: { ready: true },
    });
    expect(await request(`${server.url}/v2/models/mlp-tiny/ready`)).toMatchObject({ status: 200 });
  });

  it('describes the model', async () => {
    const reply = await request(`${server.url}/v2/models/mlp-tiny`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      name: 'mlp-tiny',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }],
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }],
    });
  });

  it('infers with the same numbers as onnxruntime run directly, with timing headers', async () => {
    const body = inferBody('mlp-tiny', 3);
    const reply = await postJson(infer, body);
    expect(reply.status).toBe(200);
    expect(reply.body.model_name).toBe('mlp-tiny');
    expect(reply.body.outputs).toHaveLength(1);
    const [output] = reply.body.outputs;
    expect(output).toMatchObject({ name: 'logits', datatype: 'FP32', shape: [3, 10] });

    const session = await ort.InferenceSession.create(buildModel('mlp-tiny').bytes);
    const [input] = body.inputs;
    const expected = await session.run({
      input: new ort.Tensor('float32', Float32Array.from(input?.data ?? []), [3, 64]),
    });
    await session.release();
    expect(output?.data).toEqual(
      Array.from(expected.logits?.data as Float32Array, (v) => expect.closeTo(v, 5)),
    );

    expect(Number(reply.headers.get('x-queue-ms'))).toBeGreaterThanOrEqual(0);
    expect(Number(reply.headers.get('x-compute-ms'))).toBeGreaterThan(0);
    expect(reply.headers.get('x-batch-size')).toBe('3');
  });

  it('merges concurrent requests into one batch', async () => {
    const replies = await Promise.all(
      [1, 2, 3, 4].map((seed) => postJson(infer, inferBody('mlp-tiny', 2, seed))),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body.outputs[0]?.shape).toEqual([2, 10]);
    }
    const sizes = replies.map((reply) => Number(reply.headers.get('x-batch-size')));
    expect(Math.max(...sizes)).toBeGreaterThan(2);
    expect(replies.some((reply) => Number(reply.headers.get('x-batch-requests')) > 1)).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"inputs": [', /JSON/],
    [
      'a wrong shape',
      { inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
      /shape/,
    ],
    ['too many samples', inferBody('mlp-tiny', 9), /9 samples, more than the max batch size 8/],
    ['a body without inputs', { outputs: [] }, /inputs/],
  ])('answers 400 with an error message for %s', async (_case, body, message) => {
    const reply = await postJson(infer, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
  });

  it('answers 404 for another model name or an unknown route', async () => {
    const reply = await postJson(`${server.url}/v2/models/other/infer`, inferBody('mlp-tiny', 1));
    expect(reply).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/'other' is not served/) },
    });
    expect((await request(`${server.url}/v3`)).status).toBe(404);
  });

  it('exports Prometheus metrics about requests, batches, queueing and compute', async () => {
    const reply = await request(`${server.url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    const { text } = reply;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    // Earlier tests: 1 + 4 successful requests (11 samples) and 4 rejected ones.
    expect(text).toMatch(/^morphling_infer_requests_total\{code="200"\} 5$/m);
    expect(text).toMatch(/^morphling_infer_requests_total\{code="400"\} 4$/m);
    expect(text).toMatch(/^morphling_infer_requests_total\{code="404"\} 1$/m);
    expect(value('morphling_infer_samples_total')).toBe(11);
    expect(value('morphling_batch_size_sum')).toBe(11);
    expect(value('morphling_batches_total')).toBeLessThan(5);
    expect(value('morphling_batches_total')).toBe(value('morphling_batch_size_count'));
    expect(value('morphling_queue_seconds_count')).toBe(5);
    expect(value('morphling_compute_seconds_sum')).toBeGreaterThan(0);
    expect(value('morphling_instances')).toBe(1);
  });
});

describe.each([
  ['resnet-tiny', [2, 10]],
  ['bert-tiny', [2, 2]],
])('model server with %s', (model, outputShape) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ modelName: model, port: 0, maxBatchSize: 4, instances: 2 });
  });
  afterAll(() => server?.close());

  it('infers a batch of 2 with the right output shape', async () => {
    const reply = await postJson(`${server.url}/v2/models/${model}/infer`, inferBody(model, 2));
    expect(reply.status).toBe(200);
    expect(reply.body.outputs[0]?.shape).toEqual(outputShape);
    expect(reply.body.outputs[0]?.data).toHaveLength(outputShape.reduce((product, dim) => product * dim, 1));
    expect((await request(`${server.url}/metrics`)).text).toMatch(/^morphling_instances 2$/m);
  });
});

/** `body` in the binary tensor data extension, with `extraBytes` zeros after the tensors. */
function binaryBody(body: ReturnType<typeof inferBody>, extraBytes = 0) {
  const { body: bytes, headerLength } = encodeBinaryInferBody(body.inputs as InferInputTensor[]);
  return { body: Buffer.concat([bytes, Buffer.alloc(extraBytes)]), headerLength };
}

function postBinary(url: string, body: Buffer, headerLength?: number) {
  return request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(headerLength === undefined ? {} : { 'inference-header-content-length': String(headerLength) }),
    },
    body,
  });
}

describe.each(['mlp-tiny', 'bert-tiny'])('model server with binary tensor data (%s)', (model) => {
  let server: RunningServer;
  let infer: string;
  beforeAll(async () => {
    server = await startServer({ modelName: model, port: 0, maxBatchSize: 2 });
    infer = `${server.url}/v2/models/${model}/infer`;
  });
  afterAll(() => server?.close());

  it('answers a binary request with the numbers of the same request in JSON', async () => {
    const json = inferBody(model, 2);
    const { body, headerLength } = binaryBody(json);
    const [viaJson, viaBinary] = [await postJson(infer, json), await postBinary(infer, body, headerLength)];
    expect(viaBinary.status).toBe(200);
    expect(viaBinary.body.outputs).toEqual(viaJson.body.outputs);
  });

  it('names what is wrong with a malformed binary request', async () => {
    const { body, headerLength } = binaryBody(inferBody(model, 1));
    const noHeader = await postBinary(infer, body);
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error).toMatch(/Inference-Header-Content-Length/);
    const short = await postBinary(infer, body.subarray(0, body.length - 4), headerLength);
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/inputs\[0\]\.parameters\.binary_data_size.*bytes of binary data/);
    const long = binaryBody(inferBody(model, 1), 8);
    const extra = await postBinary(infer, long.body, long.headerLength);
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatch(/8 bytes of binary data belong to no input/);
  });
});

describe('model server when a client goes away', () => {
  it('drops a queued request whose connection closed, without a model run', async () => {
    const server = await startServer({ modelName: 'mlp-tiny', port: 0, maxBatchSize: 4, batchDelayMs: 300 });
    try {
      const metric = async (name: string) =>
        Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await request(`${server.url}/metrics`)).text)?.[1]);
      const gone = new AbortController();
      const abandoned = fetch(`${server.url}/v2/models/mlp-tiny/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(inferBody('mlp-tiny', 1)),
        signal: gone.signal,
      });
      // Within the 300 ms batch delay: the request is parsed and queued, not yet run.
      await new Promise((resolve) => setTimeout(resolve, 100));
      gone.abort();
      await expect(abandoned).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await metric('morphling_cancelled_requests_total')).toBe(1);
      expect(await metric('morphling_batches_total')).toBe(0);
      const served = await postJson(`${server.url}/v2/models/mlp-tiny/infer`, inferBody('mlp-tiny', 1));
      expect(served.status).toBe(200);
      expect(await metric('morphling_batches_total')).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('model server shutdown', () => {
  it('finishes in-flight requests, then stops listening', async () => {
    const server = await startServer({ modelName: 'mlp-tiny', port: 0, maxBatchSize: 4, batchDelayMs: 300 });
    const inFlight = postJson(`${server.url}/v2/models/mlp-tiny/infer`, inferBody('mlp-tiny', 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    expect((await inFlight).status).toBe(200);
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });

  it('fails to start, leaving nothing running, when the model file is missing', async () => {
    await expect(startServer({ modelPath: '/nonexistent/model.onnx', port: 0 })).rejects.toThrow(
      /--model-path \(MODEL_PATH\): no readable file/,
    );
  });
});
