import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import {
  type BatchExecutor,
  type BatchStats,
  DynamicBatcher,
  NoInstanceError,
  RequestCancelledError,
} from '../../src/serving/batcher.js';
import type { HostTensor, TensorMap } from '../../src/serving/tensor.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `rows` samples of width 2 whose values identify the request: row r of request id is [id, r]. */
function request(id: number, rows = 1, width = 2): TensorMap {
  const data = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) data.set([id, r], r * width);
  return { x: { type: 'float32', dims: [rows, width], data } };
}

/** Doubles its input after `delayMs`; records every batch and how many ran at once. */
class FakeExecutor implements BatchExecutor {
  readonly batches: number[] = [];
  /** Runs in progress over all fake executors, and the most seen at once. */
  static active = 0;
  static peakActive = 0;
  alive = true;
  failNext = false;

  constructor(private readonly delayMs = 5) {}

  async run(inputs: TensorMap) {
    const x = inputs.x as HostTensor;
    this.batches.push(x.dims[0] ?? 0);
    FakeExecutor.active++;
    FakeExecutor.peakActive = Math.max(FakeExecutor.peakActive, FakeExecutor.active);
    await sleep(this.delayMs);
    FakeExecutor.active--;
    if (this.failNext) throw new Error('model crashed');
    const y = Float32Array.from(x.data as Float32Array, (value) => value * 2);
    return {
      outputs: { y: { type: 'float32' as const, dims: [...x.dims], data: y } },
      computeMs: this.delayMs,
    };
  }
}

describe('DynamicBatcher', () => {
  it('merges queued requests up to the max batch size and splits results back to each request', async () => {
    const executor = new FakeExecutor(20);
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 4, batchDelayMs: 50 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((id) => batcher.submit(request(id))));
    expect(executor.batches).toEqual([4, 2]);
    results.forEach((result, index) => {
      expect([...(result.outputs.y?.data ?? [])]).toEqual([(index + 1) * 2, 0]);
      expect(result.outputs.y?.dims).toEqual([1, 2]);
    });
    expect(results.map((result) => result.batchSize)).toEqual([4, 4, 4, 4, 2, 2]);
    expect(results.map((result) => result.batchRequests)).toEqual([4, 4, 4, 4, 2, 2]);
  });

  it('keeps multi-sample requests whole and gives each its own rows', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 30 });
    const [a, b] = await Promise.all([batcher.submit(request(1, 2)), batcher.submit(request(2, 3))]);
    expect(executor.batches).toEqual([5]);
    expect([...(a?.outputs.y?.data ?? [])]).toEqual([2, 0, 2, 2]);
    expect([...(b?.outputs.y?.data ?? [])]).toEqual([4, 0, 4, 2, 4, 4]);
  });

  it('does not split a request that does not fit: it starts the next batch instead', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 4, batchDelayMs: 20 });
    await Promise.all([
      batcher.submit(request(1, 3)),
      batcher.submit(request(2, 2)),
      batcher.submit(request(3, 1)),
    ]);
    // Request 2 does not fit beside request 1; request 3 must not overtake it, so 2 and 3 share the next run.
    expect(executor.batches).toEqual([3, 3]);
  });

  it('holds a lone request for the batch delay, then runs it', async () => {
    const batcher = new DynamicBatcher([new FakeExecutor()], { maxBatchSize: 8, batchDelayMs: 60 });
    const started = performance.now();
    const result = await batcher.submit(request(1));
    expect(result.queueMs).toBeGreaterThanOrEqual(58);
    expect(result.queueMs).toBeLessThan(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(58);
  });

  it('lets a request arriving within the delay join the waiting batch', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 80 });
    const first = batcher.submit(request(1));
    await sleep(20);
    const second = batcher.submit(request(2));
    const [a, b] = await Promise.all([first, second]);
    expect(executor.batches).toEqual([2]);
    expect(a.queueMs).toBeGreaterThan(b.queueMs);
  });

  it('runs at once without a delay, and batches only what queued while the instance was busy', async () => {
    const executor = new FakeExecutor(30);
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 0 });
    const first = batcher.submit(request(1));
    const rest = [2, 3, 4].map((id) => batcher.submit(request(id)));
    const result = await first;
    await Promise.all(rest);
    expect(result.queueMs).toBeLessThan(15);
    expect(executor.batches).toEqual([1, 3]);
  });

  it('drops a queued request whose caller gave up, and runs the rest without it', async () => {
    const executor = new FakeExecutor(30);
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 0 });
    const first = batcher.submit(request(1));
    const gone = new AbortController();
    const abandoned = batcher.submit(request(2), gone.signal);
    const kept = batcher.submit(request(3));
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(RequestCancelledError);
    expect(batcher.queueDepth).toBe(1);
    await first;
    const result = await kept;
    // The second batch holds request 3 only: [3, 0] doubled.
    expect([...(result.outputs.y?.data ?? [])]).toEqual([6, 0]);
    expect(executor.batches).toEqual([1, 1]);
    await expect(batcher.submit(request(4), gone.signal)).rejects.toBeInstanceOf(RequestCancelledError);
  });

  it('lets a request already in a model run finish when its caller gives up', async () => {
    const batcher = new DynamicBatcher([new FakeExecutor(20)], { maxBatchSize: 8, batchDelayMs: 0 });
    const gone = new AbortController();
    const running = batcher.submit(request(1), gone.signal);
    await sleep(5);
    gone.abort();
    await expect(running).resolves.toMatchObject({ batchSize: 1 });
  });

  it('never merges requests whose non-batch dimensions differ', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 20 });
    await Promise.all([
      batcher.submit(request(1, 1, 2)),
      batcher.submit(request(2, 1, 3)),
      batcher.submit(request(3)),
    ]);
    expect(executor.batches.sort()).toEqual([1, 2]);
  });

  it('runs batches on several executors at the same time', async () => {
    FakeExecutor.peakActive = 0;
    const executors = [new FakeExecutor(40), new FakeExecutor(40)];
    const batcher = new DynamicBatcher(executors, { maxBatchSize: 1, batchDelayMs: 0 });
    await Promise.all([1, 2, 3, 4].map((id) => batcher.submit(request(id))));
    expect(FakeExecutor.peakActive).toBe(2);
    expect(executors.map((executor) => executor.batches.length)).toEqual([2, 2]);
  });

  it('rejects requests larger than the max batch size and inputs that disagree on the sample count', async () => {
    const batcher = new DynamicBatcher([new FakeExecutor()], { maxBatchSize: 2, batchDelayMs: 0 });
    await expect(batcher.submit(request(1, 3))).rejects.toThrow(/3 samples, more than the max batch size 2/);
    const mismatched: TensorMap = {
      ...request(1, 1),
      z: { type: 'float32', dims: [2], data: new Float32Array(2) },
    };
    await expect(batcher.submit(mismatched)).rejects.toBeInstanceOf(SpecError);
  });

  it('fails every request of a failed batch and reports the batch', async () => {
    const executor = new FakeExecutor();
    const stats: BatchStats[] = [];
    const batcher = new DynamicBatcher([executor], {
      maxBatchSize: 4,
      batchDelayMs: 20,
      onBatch: (s) => stats.push(s),
    });
    executor.failNext = true;
    const outcomes = await Promise.allSettled([batcher.submit(request(1)), batcher.submit(request(2))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(stats).toEqual([{ requests: 2, samples: 2, computeMs: 0, failed: true }]);
    executor.failNext = false;
    await expect(batcher.submit(request(3))).resolves.toMatchObject({ batchSize: 1 });
  });

  it('takes a dead executor out of rotation and fails fast once none is left', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 1, batchDelayMs: 0 });
    executor.failNext = true;
    executor.alive = false;
    const outcomes = await Promise.allSettled([batcher.submit(request(1)), batcher.submit(request(2))]);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { message: 'model crashed' } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: expect.any(NoInstanceError) });
    expect(batcher.liveInstances).toBe(0);
    await expect(batcher.submit(request(3))).rejects.toBeInstanceOf(NoInstanceError);
  });

  it('drains: queued work finishes without waiting out the delay, new work is refused', async () => {
    const executor = new FakeExecutor();
    const batcher = new DynamicBatcher([executor], { maxBatchSize: 8, batchDelayMs: 10_000 });
    const pending = batcher.submit(request(1));
    const started = performance.now();
    await batcher.drain();
    await expect(pending).resolves.toMatchObject({ batchSize: 1 });
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(batcher.submit(request(2))).rejects.toThrow(/shutting down/);
  });
});
