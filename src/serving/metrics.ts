/** Counters and histograms for `GET /metrics`, rendered in the Prometheus text exposition format. */

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.bounds.forEach((bound, index) => {
      if (value <= bound) this.counts[index] = (this.counts[index] ?? 0) + 1;
    });
  }

  render(name: string, help: string): string[] {
    return [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} histogram`,
      ...this.bounds.map((bound, index) => `${name}_bucket{le="${bound}"} ${this.counts[index]}`),
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.count}`,
    ];
  }
}

const BATCH_SIZE_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const SECONDS_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServingMetrics {
  /** Finished infer requests by HTTP status code. */
  private readonly requests = new Map<number, number>();
  private samples = 0;
  private batches = 0;
  private failedBatches = 0;
  private cancelled = 0;
  private readonly batchSizes = new Histogram(BATCH_SIZE_BOUNDS);
  private readonly queueSeconds = new Histogram(SECONDS_BOUNDS);
  private readonly computeSeconds = new Histogram(SECONDS_BOUNDS);

  recordRequest(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  /** A request whose client went away while it was queued: dropped without a model run. */
  recordCancelled(): void {
    this.cancelled++;
  }

  /** A request that ran: its samples and how long it queued. */
  recordServed(samples: number, queueMs: number): void {
    this.samples += samples;
    this.queueSeconds.observe(queueMs / 1000);
  }

  recordBatch(samples: number, computeMs: number, failed: boolean): void {
    this.batches++;
    if (failed) {
      this.failedBatches++;
      return;
    }
    this.batchSizes.observe(samples);
    this.computeSeconds.observe(computeMs / 1000);
  }

  /** `gauges` are read at scrape time (queue depth, live instances). */
  render(gauges: { queueDepth: number; liveInstances: number }): string {
    const codes = [...this.requests.entries()].sort(([a], [b]) => a - b);
    const lines = [
      '# HELP morphling_infer_requests_total Infer requests answered, by HTTP status code.',
      '# TYPE morphling_infer_requests_total counter',
      ...codes.map(([code, count]) => `morphling_infer_requests_total{code="${code}"} ${count}`),
      '# HELP morphling_infer_samples_total Samples (batch items) in successfully served requests.',
      '# TYPE morphling_infer_samples_total counter',
      `morphling_infer_samples_total ${this.samples}`,
      '# HELP morphling_batches_total Model runs, each on one merged batch.',
      '# TYPE morphling_batches_total counter',
      `morphling_batches_total ${this.batches}`,
      '# HELP morphling_batch_failures_total Model runs that failed.',
      '# TYPE morphling_batch_failures_total counter',
      `morphling_batch_failures_total ${this.failedBatches}`,
      '# HELP morphling_cancelled_requests_total Requests dropped from the queue because their client went away.',
      '# TYPE morphling_cancelled_requests_total counter',
      `morphling_cancelled_requests_total ${this.cancelled}`,
      ...this.batchSizes.render('morphling_batch_size', 'Samples per successful model run.'),
      ...this.queueSeconds.render('morphling_queue_seconds', 'Time a request waited before its batch ran.'),
      ...this.computeSeconds.render('morphling_compute_seconds', 'Model run time per successful batch.'),
      '# HELP morphling_queue_depth Requests waiting for a batch.',
      '# TYPE morphling_queue_depth gauge',
      `morphling_queue_depth ${gauges.queueDepth}`,
      '# HELP morphling_instances Model instances able to run batches.',
      '# TYPE morphling_instances gauge',
      `morphling_instances ${gauges.liveInstances}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
