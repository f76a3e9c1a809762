import { randomBytes } from 'node:crypto';
import type {
  Condition,
  Container,
  Deployment,
  Job,
  Pod,
  Service,
} from '../../../src/runners/kubernetes/kube-types.js';
import { parseQuantity } from '../../../src/space/quantity.js';
import { FakeKubelet, type KubeletOptions } from './fake-kubelet.js';
import { FakeNetwork } from './fake-network.js';
import type { FakeStore, StoredObject } from './fake-store.js';

export interface ClusterOptions extends KubeletOptions {
  /** The one node's allocatable resources, as quantities (`cpu: '2'`, `memory: '4Gi'`, extended ones). */
  allocatable: Record<string, string>;
  nodeName: string;
  /** Reconcile interval of the simulated controllers, scheduler and kubelet. */
  tickMs: number;
  /** Pod termination grace period (a real kubelet: 30 s). */
  terminationGraceMs: number;
}

type Stored<T> = T & StoredObject;

/**
 * The control plane and node behind the stand-in API server, each reconciling on a timer as the real
 * ones do: a Deployment controller (one pod per replica, status and the Available / Progressing
 * conditions with ProgressDeadlineExceeded), a Job controller (a pod per try, backoffLimit,
 * activeDeadlineSeconds, Complete / Failed), a garbage collector (pods whose owner is gone), a
 * scheduler for one node (requests — or limits where a request is missing — against what the node has
 * left; "0/1 nodes are available: 1 Insufficient cpu." when they do not fit), the kubelet, and
 * kube-proxy for Services.
 */
export class FakeCluster {
  readonly network = new FakeNetwork();
  readonly kubelet: FakeKubelet;
  private readonly podIps = new Map<string, string>();
  private readonly terminating = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly store: FakeStore,
    private readonly options: ClusterOptions,
  ) {
    this.kubelet = new FakeKubelet(options);
    this.timer = setInterval(() => this.tick(), options.tickMs);
  }

  /** A new Service: a cluster IP and a proxy to its ready endpoints. */
  async addService(service: Stored<Service>): Promise<void> {
    const ip = this.network.allocateClusterIp();
    service.spec.clusterIP = ip;
    for (const port of service.spec.ports) {
      await this.network.expose(`${service.metadata.uid}/${port.port}`, ip, port.port, () =>
        this.endpoints(service, port.targetPort ?? port.port),
      );
    }
  }

  async removeService(service: Stored<Service>): Promise<void> {
    for (const port of service.spec.ports)
      await this.network.unexpose(`${service.metadata.uid}/${port.port}`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.kubelet.close();
    await this.network.close();
  }

  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.collectGarbage();
      for (const deployment of this.store.list('deployments') as Stored<Deployment>[])
        this.reconcileDeployment(deployment);
      for (const job of this.store.list('jobs') as Stored<Job>[]) this.reconcileJob(job);
      for (const pod of this.store.list('pods') as Stored<Pod>[]) {
        if (pod.metadata.deletionTimestamp) this.terminatePod(pod);
        else if (!pod.spec.nodeName) this.schedule(pod);
        else {
          this.kubelet.sync(pod, this.podIps.get(pod.metadata.uid) as string);
          this.store.touch(pod);
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  private endpoints(service: Service, targetPort: number | string): { ip: string; port: number }[] {
    const selector = Object.entries(service.spec.selector);
    return (this.store.list('pods', service.metadata.namespace) as Stored<Pod>[])
      .filter((pod) => !pod.metadata.deletionTimestamp)
      .filter((pod) => selector.every(([key, value]) => pod.metadata.labels?.[key] === value))
      .filter((pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((pod) => ({
        ip: pod.status?.podIP as string,
        port:
          typeof targetPort === 'number'
            ? targetPort
            : (pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === targetPort)
                ?.containerPort ?? 0),
      }));
  }

  private createPod(
    owner: StoredObject,
    template: Deployment['spec']['template'],
    extraLabels: Record<string, string>,
  ): void {
    const name = `${owner.metadata.name}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    this.store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...template.metadata?.labels, ...extraLabels },
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.metadata.name,
            uid: owner.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: structuredClone(template.spec),
      status: { phase: 'Pending', conditions: [] },
    });
  }

  private ownedPods(owner: StoredObject): Stored<Pod>[] {
    return (this.store.list('pods', owner.metadata.namespace) as Stored<Pod>[]).filter((pod) =>
      (pod.metadata.ownerReferences as { uid: string }[] | undefined)?.some(
        (ref) => ref.uid === owner.metadata.uid,
      ),
    );
  }

  private reconcileDeployment(deployment: Stored<Deployment>): void {
    const pods = this.ownedPods(deployment).filter((pod) => !pod.metadata.deletionTimestamp);
    const replicas = deployment.spec.replicas ?? 1;
    for (let i = pods.length; i < replicas; i++) {
      this.createPod(deployment, deployment.spec.template, {
        'pod-template-hash': deployment.metadata.uid.slice(0, 10),
      });
    }
    const ready = pods.filter((pod) =>
      pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    const maxUnavailable = Math.floor(replicas * 0.25);
    const available = ready >= replicas - maxUnavailable && ready > 0;
    const age = (Date.now() - Date.parse(deployment.metadata.creationTimestamp as string)) / 1000;
    const stuck = !available && age > (deployment.spec.progressDeadlineSeconds ?? 600);
    const conditions: Condition[] = [
      available
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
      stuck
        ? {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${deployment.metadata.name}" has timed out progressing.`,
          }
        : {
            type: 'Progressing',
            status: 'True',
            reason: available ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
            message: `ReplicaSet "${deployment.metadata.name}" is progressing.`,
          },
    ];
    deployment.status = {
      observedGeneration: deployment.metadata.generation as number,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, replicas - ready),
      conditions,
    };
    this.store.touch(deployment);
  }

  private reconcileJob(job: Stored<Job>): void {
    const finished = job.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (finished) return;
    const pods = this.ownedPods(job);
    const succeeded = pods.filter((pod) => pod.status?.phase === 'Succeeded').length;
    const failed = pods.filter((pod) => pod.status?.phase === 'Failed').length;
    const active = pods.filter(
      (pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') && !pod.metadata.deletionTimestamp,
    );
    const started = Date.parse(job.metadata.creationTimestamp as string);
    const conditions: Condition[] = [];
    if (succeeded > 0) {
      conditions.push({ type: 'Complete', status: 'True', lastTransitionTime: new Date().toISOString() });
    } else if (failed > (job.spec.backoffLimit ?? 6)) {
      conditions.push({
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      });
    } else if (
      job.spec.activeDeadlineSeconds !== undefined &&
      Date.now() - started > job.spec.activeDeadlineSeconds * 1000
    ) {
      for (const pod of active) pod.metadata.deletionTimestamp = new Date().toISOString();
      conditions.push({
        type: 'Failed',
        status: 'True',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      });
    } else if (active.length === 0) {
      this.createPod(job, job.spec.template, {
        'job-name': job.metadata.name,
        'controller-uid': job.metadata.uid,
      });
    }
    job.status = {
      active: conditions.length > 0 ? 0 : Math.max(active.length, 1),
      succeeded,
      failed,
      ...(conditions.length ? { conditions } : {}),
    };
    this.store.touch(job);
  }

  /** Pods whose controller (by ownerReference uid) no longer exists are deleted, as the GC does. */
  private collectGarbage(): void {
    const owners = new Set(
      [...this.store.list('deployments'), ...this.store.list('jobs')].map((o) => o.metadata.uid),
    );
    for (const pod of this.store.list('pods') as Stored<Pod>[]) {
      const refs = pod.metadata.ownerReferences as { uid: string }[] | undefined;
      if (refs?.length && !refs.some((ref) => owners.has(ref.uid)) && !pod.metadata.deletionTimestamp) {
        pod.metadata.deletionTimestamp = new Date().toISOString();
        this.store.touch(pod);
      }
    }
  }

  private schedule(pod: Stored<Pod>): void {
    const used: Record<string, number> = {};
    for (const other of this.store.list('pods') as Stored<Pod>[]) {
      if (!other.spec.nodeName || ['Succeeded', 'Failed'].includes(other.status?.phase ?? '')) continue;
      for (const [resource, amount] of Object.entries(podRequests(other.spec.containers)))
        used[resource] = (used[resource] ?? 0) + amount;
    }
    const insufficient = Object.entries(podRequests(pod.spec.containers))
      .filter(
        ([resource, amount]) =>
          amount > 0 &&
          (used[resource] ?? 0) + amount > (parseQuantity(this.options.allocatable[resource] ?? '0') ?? 0),
      )
      .map(([resource]) => resource);
    if (insufficient.length > 0) {
      const message = `0/1 nodes are available: ${insufficient.map((r) => `1 Insufficient ${r}`).join(', ')}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
      pod.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
      };
    } else {
      pod.spec.nodeName = this.options.nodeName;
      this.podIps.set(pod.metadata.uid, this.network.allocatePodIp());
      pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] };
    }
    this.store.touch(pod);
  }

  private terminatePod(pod: Stored<Pod>): void {
    const uid = pod.metadata.uid;
    if (this.terminating.has(uid)) return;
    this.terminating.add(uid);
    void this.kubelet.terminate(uid, this.options.terminationGraceMs).then(() => {
      this.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
      this.terminating.delete(uid);
      this.podIps.delete(uid);
    });
  }
}

/** A pod's requests per resource: each container's request, or its limit where it has no request. */
function podRequests(containers: Container[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const container of containers) {
    const resources = { ...container.resources?.limits, ...container.resources?.requests };
    for (const [resource, quantity] of Object.entries(resources))
      total[resource] = (total[resource] ?? 0) + (parseQuantity(quantity) ?? 0);
  }
  return total;
}
