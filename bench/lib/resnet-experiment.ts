import { resolveExperiment } from '../../src/spec/resolve.js';

/**
 * A resolved local experiment over the bundled server's knobs for one zoo model, for benchmarks that
 * measure single configurations.
 */
export function localExperiment(
  model: string,
  sloMs = 100,
  runnerSettings: Record<string, unknown> = {},
  load: Record<string, unknown> = {},
) {
  const discrete = (name: string, list: (string | number)[]) => ({
    name,
    parameterType: 'discrete',
    feasibleSpace: { list },
  });
  return resolveExperiment(
    {
      metadata: { name: `bench-${model}` },
      spec: {
        algorithm: { algorithmName: 'grid' },
        maxNumTrials: 1,
        tunableParameters: [
          { category: 'resource', parameters: [discrete('cpu', ['250m', '500m', '750m', '1000m'])] },
          {
            category: 'env',
            parameters: [
              discrete('MAX_BATCH_SIZE', [1, 2, 4, 8, 16]),
              discrete('BATCH_DELAY_MS', [0, 1, 2, 5]),
              discrete('INTRA_OP_THREADS', [1, 2]),
              discrete('INSTANCES', [1, 2]),
            ],
          },
        ],
        slo: { percentile: 99, latencyMs: sloMs },
        service: { model },
        runner: { name: 'local', settings: runnerSettings },
        load,
      },
    },
    process.cwd(),
  );
}
