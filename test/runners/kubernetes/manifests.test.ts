import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/errors.js';
import { findConnection } from '../../../src/runners/kubernetes/connection.js';
import { quantity } from '../../../src/runners/kubernetes/container-knobs.js';
import { leaseExpired } from '../../../src/runners/kubernetes/controller-lease.js';
import type { Lease, Pod } from '../../../src/runners/kubernetes/kube-types.js';
import { kubernetes } from '../../../src/runners/kubernetes/kubernetes-runner.js';
import { clientJob, type ManifestOptions, serverObjects } from '../../../src/runners/kubernetes/manifests.js';
import { labelValue, trialObjectName } from '../../../src/runners/kubernetes/names.js';
import { podProblem } from '../../../src/runners/kubernetes/pod-failures.js';
import { trialRequest } from '../trial-request.js';
import { FITS, k8sExperiment } from './stand-in.js';

// Pure parts of the kubernetes runner: no API server involved.

/** alibaba/morphling's sample ProfilingExperiment (config/samples), templates as they wrote them. */
const UPSTREAM_SERVICE_TEMPLATE = {
  template: {
    spec: {
      containers: [
        {
          name: 'service-container',
          image: 'kubedl/morphling-tf-model:demo',
          imagePullPolicy: 'IfNotPresent',
          env: [{ name: 'MODEL_NAME', value: 'mobilenet' }],
          resources: { requests: { cpu: 1, memory: '1800Mi' }, limits: { cpu: 1, memory: '1800Mi' } },
          ports: [{ containerPort: 8500 }],
        },
        { name: 'sidecar', image: 'busybox' },
      ],
    },
  },
};
const UPSTREAM_CLIENT_TEMPLATE = {
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'pi',
            image: 'kubedl/morphling-http-client:demo',
            env: [{ name: 'MODEL_NAME', value: 'mobilenet' }],
            command: ['python3'],
            args: ['morphling_client.py', '--model', 'mobilenet'],
          },
        ],
        restartPolicy: 'Never',
      },
    },
    backoffLimit: 1,
  },
};

const options: ManifestOptions = { namespace: 'ns', image: 'img', port: 8080, progressDeadlineSeconds: 120 };
const labels = { 'morphling.trial': '1' };

describe('kubernetes manifests', () => {
  it('injects the knobs into every container of an upstream pod template, as alibaba/morphling does', () => {
    const experiment = k8sExperiment('http://unused', {}, { servicePodTemplate: UPSTREAM_SERVICE_TEMPLATE });
    const { deployment, service, port } = serverObjects(
      experiment,
      trialRequest(experiment, FITS),
      'n',
      labels,
      options,
    );
    const [server, sidecar] = deployment.spec.template.spec.containers;
    const resources = { cpu: '500m', memory: '256Mi', 'nvidia.com/gpu': '1' };
    expect(server?.resources).toEqual({ requests: resources, limits: resources });
    expect(server?.env).toEqual([
      { name: 'MODEL_NAME', value: 'mobilenet' },
      { name: 'INSTANCES', value: '2' },
    ]);
    expect(server?.args).toEqual(['--intra-op-threads=1']);
    expect(server?.imagePullPolicy).toBe('IfNotPresent');
    expect(sidecar?.resources?.limits).toEqual(resources);
    expect(port).toBe(8500);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8500, targetPort: 8500, protocol: 'TCP' }]);
    expect(server?.readinessProbe?.httpGet).toEqual({ path: '/v2/health/ready', port: 8500 });
    expect(deployment.spec.progressDeadlineSeconds).toBe(120);
    expect(deployment.spec.selector.matchLabels).toEqual({
      'morphling.trial': '1',
      'morphling.role': 'server',
    });
  });

  it('injects only into the named containers when told', () => {
    const experiment = k8sExperiment('http://unused', {}, { servicePodTemplate: UPSTREAM_SERVICE_TEMPLATE });
    const { deployment } = serverObjects(experiment, trialRequest(experiment, FITS), 'n', labels, {
      ...options,
      containers: ['service-container'],
    });
    const [, sidecar] = deployment.spec.template.spec.containers;
    expect(sidecar).toEqual({ name: 'sidecar', image: 'busybox' });
  });

  it('keeps an upstream client Job template and gives it the trial as environment', () => {
    const experiment = k8sExperiment(
      'http://unused',
      {},
      { clientTemplate: UPSTREAM_CLIENT_TEMPLATE, requestTemplate: '{"x":1}' },
    );
    const job = clientJob(experiment, trialRequest(experiment, FITS), 'n-client', labels, {
      namespace: 'ns',
      image: 'img',
      target: 'http://10.0.0.7:8500',
      serviceName: 'n',
      deadlineSeconds: 600,
    });
    const container = job.spec.template.spec.containers[0];
    expect(container?.command).toEqual(['python3']);
    expect(container?.args).toEqual(['morphling_client.py', '--model', 'mobilenet']);
    expect(job.spec.backoffLimit).toBe(1);
    expect(job.spec.activeDeadlineSeconds).toBe(600);
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'MODEL_NAME', value: 'mobilenet' },
        { name: 'MORPHLING_TARGET', value: 'http://10.0.0.7:8500' },
        { name: 'RequestTemplate', value: '{"x":1}' },
        { name: 'CPU', value: '500m' },
        { name: 'INTRA_OP_THREADS', value: '1' },
      ]),
    );
    expect(JSON.parse(container?.env?.find((e) => e.name === 'MORPHLING_LOAD')?.value ?? '{}')).toMatchObject(
      {
        slo: { percentile: 99, latencyMs: 200 },
        model: 'resnet-tiny',
      },
    );
  });

  it('writes quantities the way Kubernetes reads them', () => {
    expect(quantity('cpu', 0.25)).toBe('250m');
    expect(quantity('cpu', 2)).toBe('2');
    expect(quantity('memory', '1Gi')).toBe('1Gi');
    expect(quantity('nvidia.com/gpu', 1)).toBe('1');
  });

  it('makes valid, distinct object names and label values from any experiment name', () => {
    expect(trialObjectName('resnet.local', 3, 1)).toBe('resnet-local-t3-a1');
    expect(trialObjectName('2024-sweep', 3, 1, 'client')).toBe('m-2024-sweep-t3-a1-client');
    const long = (tail: string) => trialObjectName(`${'x'.repeat(200)}${tail}`, 12345, 2, 'client');
    expect(long('a')).toHaveLength(63);
    expect(long('a')).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(long('a')).not.toBe(long('b'));
    expect(labelValue('y'.repeat(100))).toHaveLength(63);
  });

  it('refuses resource knobs that are no quantity, before any trial', async () => {
    const experiment = k8sExperiment(
      'http://127.0.0.1:9',
      {},
      {
        tunableParameters: [
          {
            category: 'resource',
            parameters: [{ name: 'gpuType', parameterType: 'categorical', feasibleSpace: { list: ['T4'] } }],
          },
        ],
      },
    );
    await expect(
      kubernetes.create(kubernetes.settings.parse(experiment.runner.settings), experiment),
    ).rejects.toThrow(SpecError);
  });
});

describe('reading pod status', () => {
  const pod = (status: Pod['status']): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c' }] },
    status,
  });

  it('finds OOM kills, pull errors, crash loops and unschedulable pods, OOM first', () => {
    const oomThenRunning = pod({
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 1,
          state: { running: {} },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    });
    const pull = pod({
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
        },
      ],
    });
    const loop = pod({
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    });
    const pending = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient memory.',
        },
      ],
    });
    expect(podProblem([pull, oomThenRunning])?.kind).toBe('oom');
    expect(podProblem([pull])).toMatchObject({
      kind: 'image',
      message: 'ImagePullBackOff: Back-off pulling image "x"',
    });
    expect(podProblem([loop])).toMatchObject({
      kind: 'crash',
      message: 'container c exited with code 1 (Error), restarted 3 times',
    });
    expect(podProblem([pending])).toMatchObject({
      kind: 'unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    });
    expect(
      podProblem([
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }],
        }),
      ]),
    ).toBeUndefined();
  });

  it('tells an expired controller Lease from a live one', () => {
    const lease = (renewTime: string | undefined): Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {},
      spec: { leaseDurationSeconds: 30, ...(renewTime ? { renewTime } : {}) },
    });
    const now = Date.parse('2026-01-01T00:01:00Z');
    expect(leaseExpired(lease('2026-01-01T00:00:45.000000Z'), now)).toBe(false);
    expect(leaseExpired(lease('2026-01-01T00:00:15.000000Z'), now)).toBe(true);
    expect(leaseExpired(lease(undefined), now)).toBe(true);
    expect(leaseExpired(undefined, now)).toBe(true);
  });
});

describe('finding the cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'morphling-kubeconfig-'));

  it('reads a kubeconfig: server, token, CA and the context namespace', async () => {
    const path = join(dir, 'config');
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
current-context: lab
contexts:
  - name: lab
    context: { cluster: c1, user: u1, namespace: tuning }
clusters:
  - name: c1
    cluster: { server: "https://10.0.0.1:6443/", certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')} }
users:
  - name: u1
    user: { token: secret-token }
`,
    );
    const connection = await findConnection({ kubeconfig: path }, {});
    expect(connection).toMatchObject({
      server: 'https://10.0.0.1:6443',
      token: 'secret-token',
      namespace: 'tuning',
    });
    expect(connection.ca?.toString()).toBe('CA PEM');
  });

  it('refuses credential plugins with a way out', async () => {
    const path = join(dir, 'exec');
    writeFileSync(
      path,
      `current-context: x
contexts: [{ name: x, context: { cluster: c, user: u } }]
clusters: [{ name: c, cluster: { server: "https://k" } }]
users: [{ name: u, user: { exec: { command: aws } } }]
`,
    );
    await expect(findConnection({ kubeconfig: path }, {})).rejects.toThrow(
      /credential plugin.*kubectl proxy/,
    );
  });

  it('uses the pod service account inside a cluster', async () => {
    const account = mkdtempSync(join(dir, 'sa-'));
    writeFileSync(join(account, 'token'), 'pod-token\n');
    writeFileSync(join(account, 'namespace'), 'morphling-system');
    const connection = await findConnection(
      {},
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      account,
    );
    expect(connection).toMatchObject({
      server: 'https://10.96.0.1:443',
      token: 'pod-token',
      namespace: 'morphling-system',
    });
  });
});
