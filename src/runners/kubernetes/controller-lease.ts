import type { KubeClient } from './api-client.js';
import { isAlreadyExists, isNotFound } from './api-error.js';
import type { Lease } from './kube-types.js';
import { LABEL, MANAGED_BY } from './names.js';
import { KINDS } from './resources.js';

/**
 * A coordination.k8s.io Lease per controller process, renewed while it runs. Objects the runner
 * creates carry the controller's id; `cleanup` deletes those whose controller's Lease is gone or
 * expired — the objects of a controller that was killed — and never those of a live controller
 * (another experiment, another worker), wherever it runs: a pod restarted under a new name, a laptop.
 */
export class ControllerLease {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    readonly controller: string,
    private readonly durationSeconds: number,
  ) {}

  static leaseName(controller: string): string {
    return `morphling-controller-${controller}`
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .slice(0, 253);
  }

  /** Takes the Lease and renews it every third of its duration until `release`. */
  static async acquire(
    client: KubeClient,
    namespace: string,
    controller: string,
    durationSeconds: number,
  ): Promise<ControllerLease> {
    const lease = new ControllerLease(client, namespace, controller, durationSeconds);
    await lease.renew();
    lease.timer = setInterval(
      () => {
        lease.renewing = lease.renew().catch(() => {
          // A missed renewal is retried at the next tick; the Lease lasts three of them.
        });
      },
      (durationSeconds * 1000) / 3,
    );
    lease.timer.unref();
    return lease;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await this.client.delete(KINDS.lease, this.namespace, ControllerLease.leaseName(this.controller));
  }

  private async renew(): Promise<void> {
    const name = ControllerLease.leaseName(this.controller);
    const now = microTime(new Date());
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: this.namespace,
        labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.controller]: this.controller },
      },
      spec: {
        holderIdentity: this.controller,
        leaseDurationSeconds: this.durationSeconds,
        renewTime: now,
      },
    };
    try {
      const existing = await this.client.get(KINDS.lease, this.namespace, name);
      await this.client.replace(KINDS.lease, this.namespace, name, {
        ...body,
        metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
        spec: { ...body.spec, acquireTime: existing.spec.acquireTime ?? now },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client
        .create(KINDS.lease, this.namespace, { ...body, spec: { ...body.spec, acquireTime: now } })
        .catch((e: unknown) => {
          if (!isAlreadyExists(e)) throw e;
        });
    }
  }
}

/** Whether the controller holding `lease` stopped renewing it (or there is no lease). */
export function leaseExpired(lease: Lease | undefined, now = Date.now()): boolean {
  const renewed = Date.parse(lease?.spec.renewTime ?? '');
  const duration = lease?.spec.leaseDurationSeconds;
  if (!lease || Number.isNaN(renewed) || duration === undefined) return true;
  return renewed + duration * 1000 < now;
}

/** Kubernetes' MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
