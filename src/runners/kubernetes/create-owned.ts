import { setTimeout as sleep } from 'node:timers/promises';
import { TrialFaultError } from '../../errors.js';
import type { KubeClient } from './api-client.js';
import { isAlreadyExists, isNotFound } from './api-error.js';
import { ControllerLease, leaseExpired } from './controller-lease.js';
import type { ObjectMeta } from './kube-types.js';
import { LABEL } from './names.js';
import { KINDS, type ResourceKind } from './resources.js';

/**
 * Creates a trial's object. A name already taken (409 AlreadyExists) by an object of a controller
 * whose Lease expired — a crashed run of the same trial — is freed and taken; taken by a live
 * controller or by something that is not Morphling's, it is a conflict the trial cannot resolve
 * (two experiments of one name in one namespace): a fault, not retried.
 */
export async function createOwned<T extends { metadata: ObjectMeta }>(
  client: KubeClient,
  namespace: string,
  self: string,
  kind: ResourceKind<T>,
  object: T,
  pollMs: number,
): Promise<T> {
  const name = object.metadata.name as string;
  try {
    return await client.create(kind, namespace, object);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const existing = await client.get(kind, namespace, name);
  const owner = existing.metadata.labels?.[LABEL.controller];
  const lease = owner
    ? await client.get(KINDS.lease, namespace, ControllerLease.leaseName(owner)).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      })
    : undefined;
  if (!owner || owner === self || !leaseExpired(lease)) {
    const who = owner ? `controller ${owner} is alive` : 'not created by Morphling';
    throw new TrialFaultError(
      `${kind.kind} ${name} already exists in namespace ${namespace} (${who}); is another experiment of the same name running?`,
      'conflict',
      { retryable: false },
    );
  }
  await client.delete(kind, namespace, name);
  // Deletion may take a grace period; the name is free once the object is gone.
  for (let tries = 0; ; tries++) {
    try {
      await client.get(kind, namespace, name);
    } catch (error) {
      if (isNotFound(error)) break;
      throw error;
    }
    if (tries > 120)
      throw new TrialFaultError(`${kind.kind} ${name} of a dead controller is not going away`, 'conflict');
    await sleep(pollMs);
  }
  return client.create(kind, namespace, object);
}
