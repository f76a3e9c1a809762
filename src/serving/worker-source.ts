/**
 * Code of the worker thread that owns one onnxruntime InferenceSession.
 *
 * Why a worker: onnxruntime-node's `session.run` computes on the calling thread. In the main thread it would
 * block HTTP handling for the whole run and make several instances take turns instead of running at once.
 *
 * Why a string: a worker must be a file Node can execute as is. Under vitest, or anywhere the sources are
 * TypeScript, there is no compiled `.js` next to this module, so the worker is evaluated from source
 * (`new Worker(WORKER_SOURCE, { eval: true })`) and kept small and plain (CommonJS, no imports of ours).
 *
 * Protocol (workerData, then messages: -> to the worker, <- from it):
 *   workerData { ortPath, modelPath, sessionOptions }
 *   <- { kind: 'ready', inputs, outputs }  after one warm-up run; inputs and outputs: [{ name, type, shape }]
 *                                          with numbers for fixed and strings for symbolic dimensions
 *   <- { kind: 'failed', message }         the session could not be created
 *   -> { kind: 'run', id, feeds }          feeds: { [name]: { type, dims, data } }, buffers transferred
 *   <- { kind: 'result', id, outputs, computeMs } or { kind: 'result', id, error }
 *   -> { kind: 'close' }                   releases the session; the thread then exits
 */
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);

const errorMessage = (error) => (error && error.message) || String(error);
const describe = (m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape : [] });

// One run on zeros (symbolic dimensions as 1) so the first real request does not pay for onnxruntime's
// first-run allocations. Skipped for input types it cannot fill; a failure surfaces on real requests.
async function warmUp(session) {
  const feeds = {};
  for (const m of session.inputMetadata) {
    if (!m.isTensor || (m.type !== 'float32' && m.type !== 'int64')) return;
    const dims = m.shape.map((dim) => (typeof dim === 'number' ? dim : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[m.name] = new ort.Tensor(m.type, m.type === 'int64' ? new BigInt64Array(size) : new Float32Array(size), dims);
  }
  await session.run(feeds).catch(() => undefined);
}

const sessionReady = ort.InferenceSession.create(workerData.modelPath, workerData.sessionOptions).then(
  async (session) => {
    await warmUp(session);
    return session;
  },
);

sessionReady.then(
  (session) => parentPort.postMessage({
    kind: 'ready',
    inputs: session.inputMetadata.map(describe),
    outputs: session.outputMetadata.map(describe),
  }),
  (error) => parentPort.postMessage({ kind: 'failed', message: errorMessage(error) }),
);

async function run(session, id, feeds) {
  const tensors = {};
  for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor(t.type, t.data, t.dims);
  const started = performance.now();
  const results = await session.run(tensors);
  const computeMs = performance.now() - started;
  const outputs = {};
  const transfer = [];
  for (const [name, t] of Object.entries(results)) {
    const data = t.data.slice(); // an own, transferable buffer
    outputs[name] = { type: t.type, dims: Array.from(t.dims), data };
    transfer.push(data.buffer);
  }
  parentPort.postMessage({ kind: 'result', id, outputs, computeMs }, transfer);
}

parentPort.on('message', async (message) => {
  const session = await sessionReady.catch(() => undefined);
  if (message.kind === 'close') {
    if (session) await session.release();
    parentPort.close();
    return;
  }
  try {
    await run(session, message.id, message.feeds);
  } catch (error) {
    parentPort.postMessage({ kind: 'result', id: message.id, error: errorMessage(error) });
  }
});
`;
