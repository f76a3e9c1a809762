import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment } from '../../../src/spec/resolve.js';
import type { ResolvedExperiment } from '../../../src/spec/resolved.js';

const dir = mkdtempSync(join(tmpdir(), 'morphling-docker-'));

/** The knobs of the bundled server: CPU and memory limits, an env knob and an args knob. */
const PARAMETERS = [
  {
    category: 'resource',
    parameters: [
      { name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: ['500m', '1'] } },
      { name: 'memory', parameterType: 'discrete', feasibleSpace: { list: ['32Mi', '256Mi'] } },
    ],
  },
  {
    category: 'env',
    parameters: [{ name: 'INSTANCES', parameterType: 'int', feasibleSpace: { min: 1, max: 2 } }],
  },
  {
    category: 'args',
    parameters: [{ name: 'intra-op-threads', parameterType: 'int', feasibleSpace: { min: 1, max: 2 } }],
  },
];

export function dockerExperiment(
  spec: Record<string, unknown> = {},
  parameters: unknown[] = PARAMETERS,
  settings: Record<string, unknown> = {},
): ResolvedExperiment {
  return resolveExperiment(
    {
      metadata: { name: 'docker-test' },
      spec: {
        algorithm: { algorithmName: 'grid' },
        maxNumTrials: 1,
        tunableParameters: parameters,
        runner: { name: 'docker', settings },
        service: { model: 'resnet-tiny', startTimeoutSeconds: 30 },
        slo: { percentile: 99, latencyMs: 200 },
        load: { maxLevels: 8 },
        ...spec,
      },
    },
    dir,
  );
}
