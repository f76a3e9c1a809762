import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExperiment } from '../../../src/spec/resolve.js';
import type { ResolvedExperiment } from '../../../src/spec/resolved.js';
import { FakeApiServer } from './fake-apiserver.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'morphling-k8s-'));

/**
 * The stand-in cluster of the kubernetes tests: one node with 2 CPUs, 4 GiB and one GPU, which knows
 * one image — `morphling-server:local` as scripts/docker-image.sh builds it (ENTRYPOINT node
 * dist/serving/main.js, WORKDIR with this repository's dist/, HOST=0.0.0.0, PORT=8080).
 */
export function standIn(): FakeApiServer {
  return new FakeApiServer({
    images: {
      'morphling-server:local': {
        entrypoint: ['/usr/local/bin/node', 'dist/serving/main.js'],
        env: {
          HOST: '0.0.0.0',
          PORT: '8080',
          MODEL_CACHE_DIR: join(tmpdir(), 'morphling-zoo'),
          NODE_ENV: 'production',
        },
        workdir: ROOT,
      },
    },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110', 'nvidia.com/gpu': '1' },
  });
}

const PARAMETERS = [
  {
    category: 'resource',
    parameters: [
      { name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: ['500m', '4'] } },
      { name: 'memory', parameterType: 'discrete', feasibleSpace: { list: ['32Mi', '256Mi'] } },
      { name: 'nvidia.com/gpu', parameterType: 'discrete', feasibleSpace: { list: [0, 1] } },
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

export const FITS = {
  cpu: '500m',
  memory: '256Mi',
  'nvidia.com/gpu': 1,
  INSTANCES: 2,
  'intra-op-threads': 1,
};

export function k8sExperiment(
  apiServer: string,
  settings: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): ResolvedExperiment {
  return resolveExperiment(
    {
      metadata: { name: 'k8s-test', namespace: 'trials' },
      spec: {
        algorithm: { algorithmName: 'grid' },
        maxNumTrials: 1,
        tunableParameters: PARAMETERS,
        runner: {
          name: 'kubernetes',
          settings: { apiServer, pollMs: 100, unschedulableGraceSeconds: 1, leaseSeconds: 3, ...settings },
        },
        service: { model: 'resnet-tiny', startTimeoutSeconds: 40 },
        slo: { percentile: 99, latencyMs: 200 },
        load: { maxLevels: 8 },
        ...spec,
      },
    },
    dir,
  );
}
