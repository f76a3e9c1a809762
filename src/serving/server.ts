import { access } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyError } from 'fastify';
import { NotFoundError, SpecError } from '../errors.js';
import { buildModel, ensureModelFile } from '../zoo/index.js';
import { DynamicBatcher, NoInstanceError, RequestCancelledError } from './batcher.js';
import { inferResponseBody, modelMetadataBody, parseInferRequest } from './kserve-protocol.js';
import { ServingMetrics } from './metrics.js';
import { ModelInstance } from './model-instance.js';
import { parseServerOptions, type ServerOptions, type ServerOptionsInput } from './options.js';
import { assertBatchable, type ServedModel } from './served-model.js';

/** Image batches as JSON text are large: 64 images of 3x224x224 floats are ~200 MB, so allow a generous body. */
const BODY_LIMIT_BYTES = 256 * 1024 * 1024;
const INFER_ROUTE = '/v2/models/:name/infer';

export interface RunningServer {
  readonly options: ServerOptions;
  readonly model: ServedModel;
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops accepting connections, lets in-flight requests finish, then stops the model instances. Idempotent. */
  close(): Promise<void>;
}

interface ModelFile {
  file: string;
  name: string;
  valueBounds: Record<string, number>;
}

async function resolveModelFile(options: ServerOptions): Promise<ModelFile> {
  if (options.modelPath !== undefined) {
    try {
      await access(options.modelPath);
    } catch {
      throw new SpecError([
        { path: '--model-path (MODEL_PATH)', message: `no readable file at ${options.modelPath}` },
      ]);
    }
    const name = options.modelName ?? path.basename(options.modelPath, '.onnx');
    return { file: options.modelPath, name, valueBounds: {} };
  }
  const name = options.modelName as string; // the options schema requires one of the two
  const { input } = buildModel(name).info;
  const valueBounds = input.valueBound === undefined ? {} : { [input.name]: input.valueBound };
  return { file: await ensureModelFile(name, options.modelCacheDir), name, valueBounds };
}

async function startInstances(options: ServerOptions, modelPath: string): Promise<ModelInstance[]> {
  const starts = Array.from({ length: options.instances }, () =>
    ModelInstance.start({
      modelPath,
      intraOpThreads: options.intraOpThreads,
      intraOpSpinning: options.intraOpSpinning === 1,
    }),
  );
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((instance) => instance.close()));
    throw failure.reason;
  }
  return started;
}

const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

/** A binary-extension body: `Inference-Header-Content-Length` bytes of JSON, then the tensors' bytes. */
function parseBinaryInferRequest(body: Buffer, headerLength: unknown, model: ServedModel) {
  const length = Number(headerLength);
  if (
    typeof headerLength !== 'string' ||
    !Number.isSafeInteger(length) ||
    length < 0 ||
    length > body.length
  ) {
    const message = `a binary body needs an Inference-Header-Content-Length header between 0 and ${body.length} (got ${headerLength ?? 'none'})`;
    throw new SpecError([{ path: 'headers', message }]);
  }
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, length).toString('utf8'));
  } catch (error) {
    throw new SpecError([
      { path: 'body', message: `the JSON header is not JSON (${(error as Error).message})` },
    ]);
  }
  return parseInferRequest(header, model, body.subarray(length));
}

/** Loads the model into `instances` worker threads and serves it over the KServe v2 REST protocol. */
export async function startServer(input: ServerOptionsInput): Promise<RunningServer> {
  const options = parseServerOptions(input);
  const modelFile = await resolveModelFile(options);
  const instances = await startInstances(options, modelFile.file);
  const [first] = instances as [ModelInstance];
  try {
    assertBatchable(first.metadata);
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.close()));
    throw error;
  }
  const model: ServedModel = {
    name: modelFile.name,
    metadata: first.metadata,
    valueBounds: modelFile.valueBounds,
  };
  const metrics = new ServingMetrics();
  const batcher = new DynamicBatcher(instances, {
    maxBatchSize: options.maxBatchSize,
    batchDelayMs: options.batchDelayMs,
    onBatch: (batch) => metrics.recordBatch(batch.samples, batch.computeMs, batch.failed),
  });
  let closing: Promise<void> | undefined;
  const ready = () => closing === undefined && batcher.liveInstances > 0;

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  // Binary tensor data extension: a JSON header, then raw tensor bytes (see kserve-protocol.ts).
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof RequestCancelledError) {
      metrics.recordCancelled();
      // Nobody reads this answer; 499 is nginx's "client closed request".
      void reply.code(499).send({ error: error.message });
      return;
    }
    const status =
      error instanceof SpecError
        ? 400
        : error instanceof NotFoundError
          ? 404
          : error instanceof NoInstanceError
            ? 503
            : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
              ? error.statusCode
              : 500;
    if (status === 500) process.stderr.write(`infer error: ${error.stack ?? error.message}\n`);
    void reply.code(status).send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url}` });
  });
  // Node's server.close() only drops connections idle at that moment; a keep-alive connection whose request
  // was in flight would hold close() open until its keep-alive timeout, so such responses close it.
  app.addHook('onSend', async (_request, reply) => {
    if (closing !== undefined) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === INFER_ROUTE) metrics.recordRequest(reply.statusCode);
  });

  const servedModel = (name: string): ServedModel => {
    if (name !== model.name)
      throw new NotFoundError(`model '${name}' is not served here (serving '${model.name}')`);
    return model;
  };

  app.get('/v2', async () => ({ name: 'morphling-serving', version: '1', extensions: [] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) =>
    reply.code(ready() ? 200 : 503).send({ ready: ready() }),
  );
  app.get<{ Params: { name: string } }>('/v2/models/:name', async (request) =>
    modelMetadataBody(servedModel(request.params.name)),
  );
  app.get<{ Params: { name: string } }>('/v2/models/:name/ready', async (request, reply) => {
    servedModel(request.params.name);
    return reply.code(ready() ? 200 : 503).send({ name: model.name, ready: ready() });
  });
  app.post<{ Params: { name: string } }>(INFER_ROUTE, async (request, reply) => {
    const served = servedModel(request.params.name);
    const parsed = Buffer.isBuffer(request.body)
      ? parseBinaryInferRequest(request.body, request.headers[INFERENCE_HEADER_LENGTH], served)
      : parseInferRequest(request.body, served);
    // A client that closed its connection (a load generator abandoning a request, a user's timeout)
    // gets no answer: its request leaves the queue instead of costing a model run. Without this, an
    // overloaded server kept running requests nobody waited for, long after the load had dropped.
    const clientGone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) clientGone.abort();
    });
    const result = await batcher.submit(parsed.inputs, clientGone.signal);
    const samples = Object.values(parsed.inputs)[0]?.dims[0] ?? 0;
    metrics.recordServed(samples, result.queueMs);
    void reply.headers({
      'x-queue-ms': result.queueMs.toFixed(3),
      'x-compute-ms': result.computeMs.toFixed(3),
      'x-batch-size': String(result.batchSize),
      'x-batch-requests': String(result.batchRequests),
    });
    return inferResponseBody(model, parsed, result.outputs);
  });
  app.get('/metrics', async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(metrics.render({ queueDepth: batcher.queueDepth, liveInstances: batcher.liveInstances })),
  );

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.close()));
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    options,
    model,
    host: options.host,
    port,
    url: `http://${urlHost}:${port}`,
    close() {
      closing ??= (async () => {
        await app.close();
        await batcher.drain();
        await Promise.all(instances.map((instance) => instance.close()));
      })();
      return closing;
    },
  };
}
