import { describe, expect, it } from 'vitest';
import { ServingMetrics } from '../../src/serving/metrics.js';

describe('ServingMetrics', () => {
  it('renders counters, histograms and gauges in Prometheus text format', () => {
    const metrics = new ServingMetrics();
    metrics.recordRequest(200);
    metrics.recordRequest(200);
    metrics.recordRequest(400);
    metrics.recordServed(1, 3);
    metrics.recordServed(3, 1);
    metrics.recordBatch(4, 2, false);
    metrics.recordBatch(2, 0, true);
    const lines = metrics.render({ queueDepth: 5, liveInstances: 2 }).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE morphling_infer_requests_total counter',
        'morphling_infer_requests_total{code="200"} 2',
        'morphling_infer_requests_total{code="400"} 1',
        'morphling_infer_samples_total 4',
        'morphling_batches_total 2',
        'morphling_batch_failures_total 1',
        '# TYPE morphling_batch_size histogram',
        'morphling_batch_size_bucket{le="2"} 0',
        'morphling_batch_size_bucket{le="4"} 1',
        'morphling_batch_size_bucket{le="+Inf"} 1',
        'morphling_batch_size_sum 4',
        'morphling_batch_size_count 1',
        'morphling_queue_seconds_bucket{le="0.001"} 1',
        'morphling_queue_seconds_bucket{le="0.005"} 2',
        'morphling_queue_seconds_sum 0.004',
        'morphling_compute_seconds_sum 0.002',
        'morphling_queue_depth 5',
        'morphling_instances 2',
      ]),
    );
  });
});
