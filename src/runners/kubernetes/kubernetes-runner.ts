import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { SpecError, type SpecProblem, TrialFaultError } from '../../errors.js';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import { defineRunner } from '../definition.js';
import { waitForHttp } from '../http-readiness.js';
import type { Instance, Runner, TrialRequest } from '../runner.js';
import { KubeClient } from './api-client.js';
import { KubernetesApiError } from './api-error.js';
import { problemError, waitForAvailable } from './availability.js';
import { runClientJob } from './client-job.js';
import { findConnection } from './connection.js';
import { badQuantities } from './container-knobs.js';
import { ControllerLease } from './controller-lease.js';
import { createOwned } from './create-owned.js';
import type { ObjectMeta, Service } from './kube-types.js';
import { removeKubernetesLeftovers } from './leftovers.js';
import { clientJob, type ManifestOptions, serverObjects, servicePodTemplate } from './manifests.js';
import { LABEL, newControllerId, selector, trialLabels, trialObjectName } from './names.js';
import { podProblem } from './pod-failures.js';
import { recordedLimits } from './recorded-limits.js';
import { KINDS, type ResourceKind } from './resources.js';

const Settings = z.strictObject({
  /** The API server URL as it is (e.g. `kubectl proxy`'s http://127.0.0.1:8001); default: in-cluster or kubeconfig. */
  apiServer: z.url().optional(),
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  /** Default: the experiment's metadata.namespace, else the kubeconfig context's, else `default`. */
  namespace: z.string().min(1).optional(),
  /** The server image when the spec has no servicePodTemplate (scripts/docker-image.sh builds it). */
  image: z.string().min(1).default('morphling-server:local'),
  /** The load client's image in `job` mode; default `image`, which contains the client. */
  clientImage: z.string().min(1).optional(),
  /**
   * Where the stress test runs: `controller` (this process, through the Service's cluster IP — the
   * controller must run inside the cluster network, see deploy/) or `job` (a Job per trial in the
   * cluster, alibaba/morphling's way; its pod prints the measurement).
   */
  clientMode: z.enum(['controller', 'job']).default('controller'),
  /** The server's port when the pod template declares none. */
  port: z.int().min(1).max(65535).default(8080),
  /** Names of the containers that get the knobs; default every container, as alibaba/morphling does. */
  containers: z.array(z.string().min(1)).min(1).optional(),
  /** How long the serving pod may stay unschedulable before the configuration is called infeasible. */
  unschedulableGraceSeconds: z.number().min(0).default(30),
  /** How long the load-test Job may run. */
  clientDeadlineSeconds: z.int().positive().default(900),
  /** The controller's Lease duration; leftovers of a controller are deleted once its Lease expires. */
  leaseSeconds: z.int().min(1).max(3600).default(30),
  /** Interval of status polls. */
  pollMs: z.int().min(50).max(10_000).default(500),
});
type KubernetesSettings = z.infer<typeof Settings>;

/**
 * Runs each trial's serving instance in a Kubernetes cluster, as alibaba/morphling does: a Deployment
 * and a ClusterIP Service from the experiment's pod template with the configuration's `resource` knobs
 * as requests and limits and its `env`/`args` knobs injected; the stress test from this process or
 * from a Job; everything labelled with the experiment, trial and controller, and deleted when the
 * trial ends — or, after a crash, by the next controller's `cleanup` once the dead one's Lease expires.
 */
export const kubernetes = defineRunner({
  name: 'kubernetes',
  description: 'Deployment + Service per trial in a Kubernetes cluster, load from the controller or a Job',
  settings: Settings,
  async create(settings, experiment) {
    checkSpec(experiment, settings);
    const connection = await findConnection(settings);
    const namespace =
      settings.namespace ?? experiment.document.metadata.namespace ?? connection.namespace ?? 'default';
    const client = new KubeClient(connection);
    const controller = newControllerId();
    let lease: ControllerLease;
    try {
      lease = await ControllerLease.acquire(client, namespace, controller, settings.leaseSeconds);
    } catch (error) {
      await client.close();
      throw new Error(
        `cannot use the Kubernetes API at ${connection.server} (${connection.source}), namespace ${namespace}: ${(error as Error).message}`,
      );
    }
    return new KubernetesRunner(experiment, settings, client, namespace, lease);
  },
});

class KubernetesRunner implements Runner {
  readonly name = 'kubernetes';
  private readonly manifestOptions: ManifestOptions;

  constructor(
    private readonly experiment: ResolvedExperiment,
    private readonly settings: KubernetesSettings,
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly lease: ControllerLease,
  ) {
    this.manifestOptions = {
      namespace,
      image: settings.image,
      port: settings.port,
      containers: settings.containers,
      progressDeadlineSeconds: Math.ceil(startDeadlineSeconds(experiment)),
    };
  }

  async cleanup(): Promise<void> {
    await removeKubernetesLeftovers(this.client, this.namespace, this.lease.controller);
  }

  async close(): Promise<void> {
    await this.lease.release().catch(() => {});
    await this.client.close();
  }

  async start(request: TrialRequest): Promise<Instance> {
    const { client, namespace, settings } = this;
    const name = trialObjectName(request.experiment, request.trialId, request.attempt);
    const labels = trialLabels(request.experiment, request.trialId, request.attempt, this.lease.controller);
    const objects = serverObjects(this.experiment, request, name, labels, this.manifestOptions);
    const serverPods = selector({ ...labels, [LABEL.role]: 'server' });

    const created: { kind: ResourceKind<unknown>; name: string }[] = [];
    let watching = true;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      watching = false;
      stopping ??= (async () => {
        for (const object of created.reverse())
          await client.delete(object.kind, namespace, object.name).catch(() => {});
      })();
      return stopping;
    };
    const exitCause = async (): Promise<Error | undefined> => {
      const problem = podProblem(await client.list(KINDS.pod, namespace, serverPods));
      return problem ? problemError(client, namespace, problem) : undefined;
    };

    try {
      const create = async <T extends { metadata: ObjectMeta }>(kind: ResourceKind<T>, object: T) => {
        const result = await createOwned(
          client,
          namespace,
          this.lease.controller,
          kind,
          object,
          settings.pollMs,
        );
        created.push({ kind, name: object.metadata.name as string });
        return result;
      };
      const deployment = await create(KINDS.deployment, objects.deployment);
      const service = await create(KINDS.service, objects.service);
      await waitForAvailable(client, {
        namespace,
        deployment: name,
        pods: serverPods,
        deadlineMs: startDeadlineSeconds(this.experiment) * 1000,
        unschedulableGraceMs: settings.unschedulableGraceSeconds * 1000,
        pollMs: settings.pollMs,
        signal: request.signal,
      });
      const pods = await client.list(KINDS.pod, namespace, serverPods);
      const limits = recordedLimits(deployment, pods, namespace, name);
      const target = `http://${clusterAddress(service)}:${objects.port}`;
      if (settings.clientMode === 'job') {
        const jobName = trialObjectName(request.experiment, request.trialId, request.attempt, 'client');
        const job = clientJob(this.experiment, request, jobName, labels, {
          namespace,
          image: settings.clientImage ?? settings.image,
          target,
          serviceName: name,
          deadlineSeconds: settings.clientDeadlineSeconds,
        });
        created.push({ kind: KINDS.job, name: jobName });
        const recorded = await runClientJob(client, job, {
          namespace,
          pods: selector({ ...labels, [LABEL.role]: 'client' }),
          deadlineMs: (settings.clientDeadlineSeconds + 60) * 1000,
          pollMs: settings.pollMs,
          signal: request.signal,
          serverProblem: exitCause,
        });
        // The job's own polls watched the server (serverProblem); its measurement is already here.
        return { limits: { ...limits, client: 'job' }, recorded, exitCause, stop };
      }

      await this.checkReachable(target, request.signal);
      // While the controller's load test runs, a server that dies ends it at once (OOM → infeasible).
      const died = (async () => {
        while (watching && !(await exitCause().catch(() => undefined))) await sleep(settings.pollMs * 2);
      })();
      return { endpoint: target, limits: { ...limits, client: 'controller' }, exitCause, died, stop };
    } catch (error) {
      await stop();
      throw apiFault(error);
    }
  }

  /** The Service must answer from here: controller mode needs the controller in the cluster network. */
  private async checkReachable(target: string, signal: AbortSignal): Promise<void> {
    const path = this.experiment.service?.readinessPath ?? '/v2/health/ready';
    const readiness = await waitForHttp(`${target}${path}`, {
      deadlineMs: 15_000,
      signal,
      gone: () => false,
    });
    if (!readiness.ready) {
      throw new TrialFaultError(
        `the service ${target} is available in the cluster but does not answer from the controller; run the controller in the cluster (deploy/) or set spec.runner.settings.clientMode: job`,
        'unreachable',
        { retryable: false },
      );
    }
  }
}

/** Seconds a serving Deployment gets to become available. */
function startDeadlineSeconds(experiment: ResolvedExperiment): number {
  const deadline = experiment.document.spec.serviceProgressDeadline;
  return Number(deadline ?? experiment.service?.startTimeoutSeconds ?? 300);
}

function clusterAddress(service: Service): string {
  const ip = service.spec.clusterIP;
  if (!ip || ip === 'None') return `${service.metadata.name}.${service.metadata.namespace}.svc`;
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** API errors as trial faults: a forbidden or invalid object will not get better by retrying. */
function apiFault(error: unknown): unknown {
  if (!(error instanceof KubernetesApiError)) return error;
  const permanent = error.code === 403 || error.code === 422 || error.code === 400;
  return new TrialFaultError(error.message, permanent ? 'kubernetes-rejected' : 'kubernetes-api', {
    cause: error,
    retryable: !permanent,
  });
}

function checkSpec(experiment: ResolvedExperiment, settings: KubernetesSettings): void {
  const problems: SpecProblem[] = badQuantities(experiment.space).map((message) => ({
    path: 'spec.tunableParameters',
    message,
  }));
  if (settings.clientMode === 'job' && experiment.load.request.source?.kind === 'file') {
    problems.push({
      path: 'spec.load.request.source',
      message:
        'a request file on this machine cannot be read by the load-test Job; use a json or signature source',
    });
  }
  if (problems.length > 0) throw new SpecError(problems);
  // Throws SpecError for a servicePodTemplate without containers.
  servicePodTemplate(experiment, {
    namespace: 'default',
    image: settings.image,
    port: settings.port,
    progressDeadlineSeconds: 1,
  });
}
