import { SpecError } from '../errors.js';
import { concatBatch, splitBatch, type TensorMap } from './tensor.js';

/** One model instance able to run a merged batch; the batcher gives it at most one batch at a time. */
export interface BatchExecutor {
  run(inputs: TensorMap): Promise<{ outputs: TensorMap; computeMs: number }>;
  /** False once the instance can no longer run anything (its worker died); it is then taken out of rotation. */
  readonly alive?: boolean;
}

export interface BatcherOptions {
  /** Most samples (sum of dimension 0 over merged requests) in one run. */
  maxBatchSize: number;
  /** How long the oldest queued request may wait for others to join; 0 runs as soon as an instance is free. */
  batchDelayMs: number;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  /** Called after every batch, successful or not. */
  onBatch?: (batch: BatchStats) => void;
}

export interface BatchStats {
  requests: number;
  samples: number;
  computeMs: number;
  failed: boolean;
}

export interface InferenceResult {
  outputs: TensorMap;
  /** From submission until the batch started running. */
  queueMs: number;
  /** Model run time of the whole batch this request was part of. */
  computeMs: number;
  /** Samples in that batch. */
  batchSize: number;
  /** Requests merged into that batch. */
  batchRequests: number;
}

/** The caller gave up on a request (its client went away) before it reached a model run. */
export class RequestCancelledError extends Error {
  override readonly name = 'RequestCancelledError';
}

/** No instance is left to run requests (HTTP 503). */
export class NoInstanceError extends Error {
  override readonly name = 'NoInstanceError';
}

interface Pending {
  inputs: TensorMap;
  samples: number;
  /** Non-batch dimensions of every input; only requests with equal keys can be concatenated. */
  shapeKey: string;
  enqueuedAt: number;
  resolve(result: InferenceResult): void;
  reject(error: unknown): void;
}

/**
 * Dynamic batching in the style of Triton's: requests queue up, and whenever an instance is free the oldest
 * request is run together with the ones queued behind it, up to `maxBatchSize` samples. With a delay, a batch
 * that is not yet full waits until its oldest request has waited `batchDelayMs`, trading latency for larger
 * batches.
 */
export class DynamicBatcher {
  private readonly queue: Pending[] = [];
  private readonly idle: BatchExecutor[];
  private liveExecutors: number;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private drained: (() => void) | undefined;
  private readonly now: () => number;

  constructor(
    executors: readonly BatchExecutor[],
    private readonly options: BatcherOptions,
  ) {
    if (executors.length === 0) throw new Error('DynamicBatcher needs at least one executor');
    this.idle = [...executors];
    this.liveExecutors = executors.length;
    this.now = options.now ?? (() => performance.now());
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get liveInstances(): number {
    return this.liveExecutors;
  }

  /**
   * Queues one request. All inputs must have the same size along dimension 0, its number of samples.
   * Aborting `signal` takes a request that is still queued out of the queue (it rejects with
   * `RequestCancelledError`); one already in a model run finishes with its batch.
   */
  async submit(inputs: TensorMap, signal?: AbortSignal): Promise<InferenceResult> {
    if (this.draining) throw new NoInstanceError('the server is shutting down');
    if (this.liveExecutors === 0) throw new NoInstanceError('no model instance is running');
    const samples = sampleCount(inputs);
    if (samples > this.options.maxBatchSize) {
      const problem = `request has ${samples} samples, more than the max batch size ${this.options.maxBatchSize}`;
      throw new SpecError([{ path: 'inputs', message: problem }]);
    }
    if (signal?.aborted) throw new RequestCancelledError('the request was cancelled before it was queued');
    return new Promise<InferenceResult>((resolve, reject) => {
      const cancel = () => {
        const index = this.queue.indexOf(pending);
        if (index < 0) return;
        this.queue.splice(index, 1);
        reject(new RequestCancelledError('the request was cancelled while queued'));
        this.dispatch();
      };
      const settled = () => signal?.removeEventListener('abort', cancel);
      const pending: Pending = {
        inputs,
        samples,
        shapeKey: shapeKey(inputs),
        enqueuedAt: this.now(),
        resolve: (result) => {
          settled();
          resolve(result);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Stops accepting requests and resolves once every queued and running request has finished. */
  drain(): Promise<void> {
    this.draining = true;
    this.dispatch();
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  private dispatch(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.idle.length > 0 && this.queue.length > 0) {
      const waitMs = this.remainingDelay();
      if (waitMs > 0) {
        this.timer = setTimeout(() => this.dispatch(), waitMs);
        return;
      }
      const executor = this.idle.pop() as BatchExecutor;
      void this.execute(executor, this.takeBatch());
    }
  }

  /** How much longer the head of the queue should wait for more requests; 0 when a batch should start now. */
  private remainingDelay(): number {
    const head = this.queue[0];
    if (!head || this.draining || this.options.batchDelayMs <= 0) return 0;
    let samples = 0;
    for (const request of this.queue) {
      if (request.shapeKey === head.shapeKey) samples += request.samples;
      if (samples >= this.options.maxBatchSize) return 0;
    }
    return Math.max(0, head.enqueuedAt + this.options.batchDelayMs - this.now());
  }

  /**
   * Removes the oldest request and the compatible ones behind it that still fit. Stops at the first compatible
   * request that does not fit, so it runs first in the next batch instead of being overtaken repeatedly.
   */
  private takeBatch(): Pending[] {
    const head = this.queue.shift() as Pending;
    const batch = [head];
    let samples = head.samples;
    for (let i = 0; i < this.queue.length; ) {
      const request = this.queue[i] as Pending;
      if (request.shapeKey !== head.shapeKey) {
        i++;
        continue;
      }
      if (samples + request.samples > this.options.maxBatchSize) break;
      batch.push(request);
      samples += request.samples;
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async execute(executor: BatchExecutor, batch: Pending[]): Promise<void> {
    this.running++;
    const startedAt = this.now();
    const rows = batch.map((request) => request.samples);
    const samples = rows.reduce((sum, count) => sum + count, 0);
    let computeMs = 0;
    let failed = false;
    try {
      const result = await executor.run(mergeInputs(batch.map((request) => request.inputs)));
      computeMs = result.computeMs;
      const pieces = Object.entries(result.outputs).map(
        ([name, tensor]) => [name, splitBatch(tensor, rows)] as const,
      );
      batch.forEach((request, index) => {
        const outputs: TensorMap = {};
        for (const [name, parts] of pieces) outputs[name] = parts[index] as TensorMap[string];
        request.resolve({
          outputs,
          queueMs: startedAt - request.enqueuedAt,
          computeMs,
          batchSize: samples,
          batchRequests: batch.length,
        });
      });
    } catch (error) {
      failed = true;
      for (const request of batch) request.reject(error);
    } finally {
      this.running--;
      this.options.onBatch?.({ requests: batch.length, samples, computeMs, failed });
      this.release(executor);
    }
  }

  private release(executor: BatchExecutor): void {
    if (executor.alive === false) {
      this.liveExecutors--;
      if (this.liveExecutors === 0) {
        const error = new NoInstanceError('every model instance has stopped');
        for (const request of this.queue.splice(0)) request.reject(error);
      }
    } else {
      this.idle.push(executor);
    }
    this.dispatch();
    if (this.draining && this.queue.length === 0 && this.running === 0) this.drained?.();
  }
}

function sampleCount(inputs: TensorMap): number {
  const counts = new Set(Object.values(inputs).map((tensor) => tensor.dims[0] ?? 0));
  const [count] = counts;
  if (counts.size !== 1 || count === undefined || count < 1) {
    const sizes = [...counts].join(', ') || 'none';
    const message = `every input needs the same number of samples (>= 1) in dimension 0; got ${sizes}`;
    throw new SpecError([{ path: 'inputs', message }]);
  }
  return count;
}

function shapeKey(inputs: TensorMap): string {
  return Object.entries(inputs)
    .map(([name, tensor]) => `${name}:${tensor.type}:${tensor.dims.slice(1).join('x')}`)
    .sort()
    .join(';');
}

/** Concatenates each input across requests; always copies, so the caller's arrays stay untouched. */
function mergeInputs(requests: readonly TensorMap[]): TensorMap {
  const [first] = requests;
  const merged: TensorMap = {};
  for (const name of Object.keys(first ?? {})) {
    merged[name] = concatBatch(requests.map((inputs) => inputs[name] as TensorMap[string]));
  }
  return merged;
}
