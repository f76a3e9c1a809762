import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../runners/kubernetes/api-client.js';
import { KubernetesApiError } from '../runners/kubernetes/api-error.js';
import type { ResourceKind } from '../runners/kubernetes/resources.js';

export interface WatchHandlers<T> {
  /** The full set of objects after a (re)list: the handler reconciles them and forgets missing ones. */
  synced(objects: T[]): Promise<void>;
  changed(object: T): Promise<void>;
  deleted(object: T): Promise<void>;
  /** A list or watch failed; the loop retries after `retryMs`. */
  error?(error: unknown): void;
}

export interface WatchOptions {
  retryMs?: number;
  /** The server ends each watch after this long; the loop then resumes from the last resourceVersion. */
  timeoutSeconds?: number;
}

/**
 * The informer pattern without a library: list (→ `synced`), then watch from the list's
 * resourceVersion, following each event's resourceVersion (and BOOKMARKs) so that a watch the server
 * closed resumes exactly where it stopped. A 410 Gone — the server no longer has that version — means
 * events were lost: list again. Errors (the API server restarting, a network cut) retry after a pause.
 * Runs until `signal` aborts.
 */
export async function listAndWatch<T extends { metadata: { resourceVersion?: string } }>(
  client: KubeClient,
  kind: ResourceKind<T>,
  namespace: string,
  handlers: WatchHandlers<T>,
  signal: AbortSignal,
  options: WatchOptions = {},
): Promise<void> {
  const retryMs = options.retryMs ?? 1000;
  let resourceVersion: string | undefined;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await client.listAll(kind, namespace);
        await handlers.synced(list.items);
        resourceVersion = list.metadata.resourceVersion ?? '0';
      }
      for await (const event of client.watch(
        kind,
        namespace,
        resourceVersion,
        signal,
        options.timeoutSeconds,
      )) {
        if (event.type === 'ERROR') {
          throw new KubernetesApiError(`watch ${kind.plural}`, event.object);
        }
        resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
        if (event.type === 'ADDED' || event.type === 'MODIFIED') await handlers.changed(event.object);
        else if (event.type === 'DELETED') await handlers.deleted(event.object);
      }
      // A watch the server ended normally: resume from where it stopped, at once.
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof KubernetesApiError && error.code === 410) {
        resourceVersion = undefined;
        continue;
      }
      handlers.error?.(error);
      await sleep(retryMs, undefined, { signal }).catch(() => {});
    }
  }
}
