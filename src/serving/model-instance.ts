import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { BatchExecutor } from './batcher.js';
import type { TensorMap } from './tensor.js';
import { WORKER_SOURCE } from './worker-source.js';

/** A model input or output as onnxruntime reports it; symbolic dimensions are strings. */
export interface TensorMetadata {
  name: string;
  /** onnxruntime's element type name, e.g. `float32`, `int64`. */
  type: string;
  shape: Array<number | string>;
}

export interface ModelMetadata {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface InstanceOptions {
  modelPath: string;
  /** Threads onnxruntime uses inside one operator; 0 leaves onnxruntime's default. */
  intraOpThreads: number;
  /** Idle pool threads spin-wait for work (see the server's INTRA_OP_SPINNING). */
  intraOpSpinning: boolean;
}

type WorkerReply =
  | { kind: 'ready'; inputs: TensorMetadata[]; outputs: TensorMetadata[] }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; outputs: TensorMap; computeMs: number; error?: undefined }
  | { kind: 'result'; id: number; error: string };

const CLOSE_TIMEOUT_MS = 5000;
const ORT_PATH = createRequire(import.meta.url).resolve('onnxruntime-node');

/** One InferenceSession in its own worker thread (see worker-source.ts for why a thread). */
export class ModelInstance implements BatchExecutor {
  private readonly pending = new Map<
    number,
    { resolve(reply: WorkerReply): void; reject(error: Error): void }
  >();
  private nextId = 0;
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly metadata: ModelMetadata,
  ) {
    this.exitedPromise = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind !== 'result') return;
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.once('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`model instance thread exited with code ${code}`));
    });
  }

  /** Starts the worker and resolves once its session has loaded the model. */
  static start(options: InstanceOptions): Promise<ModelInstance> {
    const sessionOptions = {
      // One inter-op thread: the zoo's graphs are chains, and instances already give parallelism across runs.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
      extra: { session: { intra_op: { allow_spinning: options.intraOpSpinning ? '1' : '0' } } },
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ortPath: ORT_PATH, modelPath: options.modelPath, sessionOptions },
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`model instance thread exited with code ${code}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.kind === 'ready') {
          resolve(new ModelInstance(worker, { inputs: reply.inputs, outputs: reply.outputs }));
        } else {
          void worker.terminate();
          const message = reply.kind === 'failed' ? reply.message : 'unexpected first message';
          reject(new Error(`cannot load model ${options.modelPath}: ${message}`));
        }
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  async run(inputs: TensorMap): Promise<{ outputs: TensorMap; computeMs: number }> {
    if (this.exited) throw new Error('model instance thread has exited');
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const transfer = Object.values(inputs).map((tensor) => tensor.data.buffer as ArrayBuffer);
      this.worker.postMessage({ kind: 'run', id, feeds: inputs }, transfer);
    });
    if (reply.kind !== 'result') throw new Error(`unexpected reply ${reply.kind}`);
    if (reply.error !== undefined) throw new Error(`onnxruntime: ${reply.error}`);
    return { outputs: reply.outputs, computeMs: reply.computeMs };
  }

  /** Releases the session and ends the thread, terminating it if it does not end in time. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ kind: 'close' });
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(resolve, CLOSE_TIMEOUT_MS, 'timeout').unref(),
    );
    if ((await Promise.race([this.exitedPromise, timeout])) === 'timeout') await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
