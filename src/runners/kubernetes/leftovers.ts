import type { KubeClient } from './api-client.js';
import { isNotFound } from './api-error.js';
import { ControllerLease, leaseExpired } from './controller-lease.js';
import type { Lease, ObjectMeta } from './kube-types.js';
import { LABEL, MANAGED_BY } from './names.js';
import { KINDS, type ResourceKind } from './resources.js';

/**
 * Deletes, in one namespace, the Jobs, Deployments and Services of controllers whose Lease is gone or
 * expired (their pods go with them), and those expired Leases. Objects of live controllers stay.
 * Returns `kind/name` of what it deleted.
 */
export async function removeKubernetesLeftovers(
  client: KubeClient,
  namespace: string,
  self: string,
  now = Date.now(),
): Promise<string[]> {
  const ours = `${LABEL.managedBy}=${MANAGED_BY},${LABEL.controller}`;
  const kinds: ResourceKind<{ metadata: ObjectMeta }>[] = [KINDS.job, KINDS.deployment, KINDS.service];
  const byController = new Map<string, { kind: ResourceKind<unknown>; name: string }[]>();
  for (const kind of kinds) {
    for (const object of await client.list(kind, namespace, ours)) {
      const controller = object.metadata.labels?.[LABEL.controller];
      if (!controller || controller === self || !object.metadata.name) continue;
      byController.set(controller, [
        ...(byController.get(controller) ?? []),
        { kind, name: object.metadata.name },
      ]);
    }
  }
  const leases = new Map<string, Lease>();
  for (const lease of await client.list(KINDS.lease, namespace, ours)) {
    const controller = lease.metadata.labels?.[LABEL.controller];
    if (controller && controller !== self) leases.set(controller, lease);
  }

  const removed: string[] = [];
  for (const controller of new Set([...byController.keys(), ...leases.keys()])) {
    if (!leaseExpired(leases.get(controller), now)) continue;
    for (const { kind, name } of byController.get(controller) ?? []) {
      await client.delete(kind, namespace, name);
      removed.push(`${kind.kind.toLowerCase()}/${name}`);
    }
    await client
      .delete(KINDS.lease, namespace, ControllerLease.leaseName(controller))
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  }
  return removed;
}
