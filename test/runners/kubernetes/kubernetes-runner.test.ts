import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureInstance } from '../../../src/controller/measure.js';
import { InfeasibleConfigError, TrialFaultError } from '../../../src/errors.js';
import { KubeClient } from '../../../src/runners/kubernetes/api-client.js';
import type { Deployment, Job, Lease, Pod, Service } from '../../../src/runners/kubernetes/kube-types.js';
import { kubernetes } from '../../../src/runners/kubernetes/kubernetes-runner.js';
import { KINDS } from '../../../src/runners/kubernetes/resources.js';
import type { Runner } from '../../../src/runners/runner.js';
import { trialRequest } from '../trial-request.js';
import { FakeApiServer } from './fake-apiserver.js';
import { FITS, k8sExperiment, standIn } from './stand-in.js';

// These tests run against a STAND-IN API server (fake-apiserver.ts), not a real cluster: none can run
// on these machines. The stand-in's pods are real server processes, and its scheduler, kubelet and
// admission checks decide by their own rules; the tests check what the runner sent and how it reads
// what comes back.

const trial = (n: number) => `morphling.experiment=k8s-test,morphling.trial=${n}`;

describe('kubernetes runner against the stand-in API server', () => {
  let api: FakeApiServer;
  let url: string;
  let runner: Runner;

  beforeAll(async () => {
    api = standIn();
    url = await api.start();
    const experiment = k8sExperiment(url);
    runner = await kubernetes.create(kubernetes.settings.parse(experiment.runner.settings), experiment);
  });
  afterAll(async () => {
    await runner?.close?.();
    await api?.close();
  });

  const create = async (settings: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => {
    const experiment = k8sExperiment(url, settings, spec);
    return {
      experiment,
      runner: await kubernetes.create(kubernetes.settings.parse(experiment.runner.settings), experiment),
    };
  };
  const gone = async (n: number) =>
    expect
      .poll(
        () =>
          ['deployments', 'services', 'jobs', 'pods'].flatMap((plural) => api.objects(plural, trial(n)))
            .length,
        {
          timeout: 10_000,
        },
      )
      .toBe(0);

  it('creates a Deployment and Service with the configuration, serves through the cluster IP, and deletes them', async () => {
    const experiment = k8sExperiment(url);
    const instance = await runner.start(trialRequest(experiment, FITS, 1));
    try {
      const [deployment] = api.objects<Deployment>('deployments', trial(1));
      const [service] = api.objects<Service>('services', trial(1));
      expect(deployment?.metadata.namespace).toBe('trials');
      const container = deployment?.spec.template.spec.containers[0];
      const resources = { cpu: '500m', memory: '256Mi', 'nvidia.com/gpu': '1' };
      expect(container?.resources).toEqual({ requests: resources, limits: resources });
      expect(container?.env).toEqual(
        expect.arrayContaining([
          { name: 'MODEL_NAME', value: 'resnet-tiny' },
          { name: 'PORT', value: '8080' },
          { name: 'INSTANCES', value: '2' },
        ]),
      );
      expect(container?.args).toEqual(['--intra-op-threads=1']);
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/v2/health/ready', port: 8080 });
      for (const object of [deployment, service]) {
        expect(object?.metadata.labels).toMatchObject({
          'app.kubernetes.io/managed-by': 'morphling',
          'morphling.experiment': 'k8s-test',
          'morphling.trial': '1',
          'morphling.attempt': '1',
          'morphling.role': 'server',
        });
      }
      expect(service?.spec.selector).toEqual(deployment?.spec.template.metadata?.labels);
      expect(instance.endpoint).toBe(`http://${service?.spec.clusterIP}:8080`);
      expect(instance.limits).toMatchObject({
        runtime: 'kubernetes',
        cpuQuotaCores: 0.5,
        memoryLimitBytes: 256 * 2 ** 20,
        node: 'fake-node-1',
        client: 'controller',
      });
      expect(String(instance.limits.limits)).toContain('nvidia.com/gpu=1');

      // The env knob reached the process behind the Service: it runs two model instances.
      const metrics = await (await request(`${instance.endpoint}/metrics`)).body.text();
      expect(metrics).toMatch(/^morphling_instances 2$/m);
      const { measurement } = await measureInstance(instance, experiment, AbortSignal.timeout(50_000));
      expect(measurement.rps).toBeGreaterThan(5);
      expect(await instance.exitCause?.()).toBeUndefined();
    } finally {
      await instance.stop();
    }
    const deletes = api.requests.filter((r) => r.method === 'DELETE' && /k8s-test-t1-a1$/.test(r.path));
    expect(deletes.map((r) => r.path.split('/').at(-2))).toEqual(['services', 'deployments']);
    await gone(1);
  });

  it('runs the load test as a Job in the cluster and reads its measurement', async () => {
    const { experiment, runner: jobRunner } = await create({ clientMode: 'job' });
    try {
      const instance = await jobRunner.start(trialRequest(experiment, FITS, 2));
      try {
        expect(instance.endpoint).toBeUndefined();
        expect(instance.recorded?.rps).toBeGreaterThan(5);
        const [job] = api.objects<Job>('jobs', trial(2));
        const [service] = api.objects<Service>('services', trial(2));
        expect(job?.spec.backoffLimit).toBe(0);
        expect(job?.spec.template.spec.restartPolicy).toBe('Never');
        expect(job?.metadata.labels?.['morphling.role']).toBe('client');
        expect(job?.spec.template.spec.containers[0]?.env).toEqual(
          expect.arrayContaining([
            { name: 'MORPHLING_TARGET', value: `http://${service?.spec.clusterIP}:8080` },
            { name: 'ServiceName', value: service?.metadata.name },
            { name: 'INSTANCES', value: '2' },
            { name: 'NVIDIA_COM_GPU', value: '1' },
          ]),
        );
        expect(api.objects<Pod>('pods', `${trial(2)},morphling.role=client`)[0]?.status?.phase).toBe(
          'Succeeded',
        );
      } finally {
        await instance.stop();
      }
      // Deleted with propagation: the stand-in, like batch/v1, would orphan the Job's pod otherwise.
      const jobDelete = api.requests.find(
        (r) => r.method === 'DELETE' && r.path.endsWith('/jobs/k8s-test-t2-a1-client'),
      );
      expect(jobDelete?.body).toMatchObject({ propagationPolicy: 'Background' });
      await gone(2);
    } finally {
      await jobRunner.close?.();
    }
  });

  it('calls a configuration infeasible when its pod is OOMKilled at the memory limit', async () => {
    const start = runner.start(trialRequest(k8sExperiment(url), { ...FITS, memory: '32Mi' }, 3));
    await expect(start).rejects.toThrow(InfeasibleConfigError);
    await expect(start).rejects.toThrow(/OOMKilled/);
    await gone(3);
  });

  it('calls a configuration infeasible when no node can fit its requests', async () => {
    const start = runner.start(trialRequest(k8sExperiment(url), { ...FITS, cpu: '4' }, 4));
    await expect(start).rejects.toThrow(InfeasibleConfigError);
    await expect(start).rejects.toThrow(
      /could not be scheduled for 1 s: 0\/1 nodes are available: 1 Insufficient cpu/,
    );
    await gone(4);
  });

  it('reports an image that cannot be pulled as a fault that retrying will not fix', async () => {
    const { experiment, runner: pullRunner } = await create({ image: 'registry.invalid/no-such:1' });
    try {
      const error = await pullRunner.start(trialRequest(experiment, FITS, 5)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrialFaultError);
      expect(error).toMatchObject({ errorClass: 'image-pull', retryable: false });
      expect((error as Error).message).toMatch(/ErrImagePull|ImagePullBackOff/);
      await gone(5);
    } finally {
      await pullRunner.close?.();
    }
  });

  it('reports a crashing server as a fault with its output', async () => {
    const command = ['/usr/local/bin/node', '-e', 'console.error("no model here"); process.exit(3)', '--'];
    const { experiment, runner: crashRunner } = await create(
      {},
      { service: { command, startTimeoutSeconds: 20 } },
    );
    try {
      const error = await crashRunner.start(trialRequest(experiment, FITS, 6)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrialFaultError);
      expect(error).toMatchObject({ errorClass: 'crash' });
      expect((error as Error).message).toMatch(/exited with code 3 \(Error\)[\s\S]*no model here/);
      await gone(6);
    } finally {
      await crashRunner.close?.();
    }
  });

  it('reports objects the API server rejects as faults that retrying will not fix', async () => {
    const template = {
      template: { spec: { containers: [{ name: 'Server_1', image: 'morphling-server:local' }] } },
    };
    const { experiment, runner: badRunner } = await create({}, { servicePodTemplate: template });
    try {
      const error = await badRunner.start(trialRequest(experiment, FITS, 7)).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorClass: 'kubernetes-rejected', retryable: false });
      expect((error as Error).message).toMatch(
        /Deployment.apps "k8s-test-t7-a1" is invalid: spec.template.spec.containers\[0\].name/,
      );
      await gone(7);
    } finally {
      await badRunner.close?.();
    }
  });

  it('refuses a name held by a live controller, and takes over one of a dead controller', async () => {
    const client = new KubeClient({ server: url, source: 'test' });
    const experiment = k8sExperiment(url);
    const foreign = (controller: string): Deployment => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'k8s-test-t8-a1', labels: { 'morphling.controller': controller, app: 'x' } },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const lease = (controller: string, renewTime: string): Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: `morphling-controller-${controller}`,
        labels: { 'app.kubernetes.io/managed-by': 'morphling', 'morphling.controller': controller },
      },
      spec: { holderIdentity: controller, leaseDurationSeconds: 30, renewTime },
    });
    try {
      await client.create(KINDS.deployment, 'trials', foreign('alive-1'));
      await client.create(KINDS.lease, 'trials', lease('alive-1', new Date().toISOString()));
      const refused = await runner.start(trialRequest(experiment, FITS, 8)).catch((e: unknown) => e);
      expect(refused).toMatchObject({ errorClass: 'conflict', retryable: false });
      expect((refused as Error).message).toMatch(
        /already exists in namespace trials \(controller alive-1 is alive\)/,
      );
      expect(api.objects<Deployment>('deployments', 'morphling.controller=alive-1')).toHaveLength(1);

      await client.delete(KINDS.deployment, 'trials', 'k8s-test-t8-a1');
      await client.create(KINDS.deployment, 'trials', foreign('dead-1'));
      await client.create(
        KINDS.lease,
        'trials',
        lease('dead-1', new Date(Date.now() - 60_000).toISOString()),
      );
      const instance = await runner.start(trialRequest(experiment, FITS, 8));
      expect(api.objects<Deployment>('deployments', 'morphling.controller=dead-1')).toHaveLength(0);
      expect(api.objects<Deployment>('deployments', trial(8))).toHaveLength(1);
      await instance.stop();
      await gone(8);
    } finally {
      await client.delete(KINDS.deployment, 'trials', 'k8s-test-t8-a1');
      await client.close();
    }
  });

  it('deletes the objects of a SIGKILLed controller once its Lease expires, and only those', async () => {
    const experiment = k8sExperiment(url);
    // The node's one GPU goes to this controller's trial.
    const NO_GPU = { ...FITS, 'nvidia.com/gpu': 0 };
    const live = await runner.start(trialRequest(experiment, FITS, 9));
    try {
      const script = `
        const { kubernetes } = await import(${JSON.stringify(new URL('../../../dist/runners/kubernetes/kubernetes-runner.js', import.meta.url).href)});
        const { resolveExperiment } = await import(${JSON.stringify(new URL('../../../dist/spec/resolve.js', import.meta.url).href)});
        const e = resolveExperiment(${JSON.stringify(experiment.document)}, ${JSON.stringify(experiment.baseDir)});
        const runner = await kubernetes.create(kubernetes.settings.parse(e.runner.settings), e);
        await runner.start({ experiment: e.name, trialId: 10, attempt: 1, config: ${JSON.stringify(NO_GPU)}, space: e.space, signal: new AbortController().signal });
        console.log('started');
        setInterval(() => {}, 1000);`;
      const controller = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise((resolve, reject) => {
        controller.stdout.once('data', resolve);
        controller.once('exit', () => reject(new Error('the other controller failed to start its trial')));
      });
      controller.kill('SIGKILL');
      await new Promise((resolve) => controller.once('exit', resolve));
      const dead = api.objects<Deployment>('deployments', trial(10))[0]?.metadata.labels?.[
        'morphling.controller'
      ];
      const leaseOf = (id: string | undefined) => api.objects<Lease>('leases', `morphling.controller=${id}`);
      expect(leaseOf(dead)).toHaveLength(1);

      // Its Lease (3 s) has not expired yet: a controller that is merely slow keeps its objects.
      await runner.cleanup?.();
      expect(api.objects('deployments', trial(10))).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      await runner.cleanup?.();
      await gone(10);
      expect(leaseOf(dead)).toHaveLength(0);
      const ours = api.objects<Deployment>('deployments', trial(9))[0]?.metadata.labels?.[
        'morphling.controller'
      ];
      expect(leaseOf(ours)).toHaveLength(1);
      // This controller's trial is untouched and still serves.
      expect(api.objects('deployments', trial(9))).toHaveLength(1);
      expect((await request(`${live.endpoint}/v2/health/ready`)).statusCode).toBe(200);
    } finally {
      await live.stop();
    }
    await gone(9);
  });
});

describe('kubernetes runner connecting through a kubeconfig', () => {
  it('authenticates with the context user token, and says so when the API server refuses it', async () => {
    const api = new FakeApiServer({ images: {}, token: 's3cret' });
    const url = await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'morphling-kubeconfig-'));
    const kubeconfig = (token: string) => {
      const path = join(dir, `config-${token}`);
      writeFileSync(
        path,
        `current-context: lab
contexts: [{ name: lab, context: { cluster: c, user: u, namespace: from-context } }]
clusters: [{ name: c, cluster: { server: "${url}" } }]
users: [{ name: u, user: { token: ${token} } }]
`,
      );
      return path;
    };
    try {
      const good = k8sExperiment(url, { apiServer: undefined, kubeconfig: kubeconfig('s3cret') });
      const runner = await kubernetes.create(kubernetes.settings.parse(good.runner.settings), good);
      // The experiment's metadata.namespace wins over the context's.
      expect(api.objects<Lease>('leases').map((l) => l.metadata.namespace)).toEqual(['trials']);
      await runner.close?.();
      expect(api.objects<Lease>('leases')).toEqual([]);

      const bad = k8sExperiment(url, { apiServer: undefined, kubeconfig: kubeconfig('wrong') });
      await expect(kubernetes.create(kubernetes.settings.parse(bad.runner.settings), bad)).rejects.toThrow(
        /cannot use the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ \(.*config-wrong \(context lab\)\), namespace trials: .*Unauthorized/,
      );
    } finally {
      await api.close();
    }
  });
});
