import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from '../runners/kubernetes/api-client.js';
import { isNotFound, KubernetesApiError } from '../runners/kubernetes/api-error.js';
import {
  PROFILING_EXPERIMENTS,
  type ProfilingExperimentObject,
  type ProfilingExperimentStatus,
} from './resource.js';

/** Tries of one status write when other writers keep changing the object under it. */
const MAX_CONFLICTS = 5;

/**
 * Writes an object's status through the `/status` subresource, optimistically: with the resourceVersion
 * of the copy the operator last saw, and on a 409 Conflict (someone wrote the object in between — a
 * `kubectl label`, an edit of the spec) it reads the object again, recomputes the status from the fresh
 * copy and retries. `compute` gets the current object and returns its new status; an unchanged status
 * is not written (a write would wake every watcher for nothing), nor is `undefined` (nothing to say yet).
 */
export async function writeStatus(
  client: KubeClient,
  cached: ProfilingExperimentObject,
  compute: (object: ProfilingExperimentObject) => Promise<ProfilingExperimentStatus | undefined>,
): Promise<ProfilingExperimentObject | undefined> {
  const { name, namespace } = cached.metadata;
  let object = cached;
  for (let attempt = 1; ; attempt++) {
    const status = await compute(object);
    if (status === undefined) return object;
    if (isDeepStrictEqual(stripUndefined(status), stripUndefined(object.status ?? {}))) return object;
    try {
      return await client.replaceStatus(PROFILING_EXPERIMENTS, namespace as string, name, {
        ...object,
        status,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined; // deleted meanwhile: nothing to report to
      if (!(error instanceof KubernetesApiError && error.code === 409) || attempt >= MAX_CONFLICTS)
        throw error;
      object = await client.get(PROFILING_EXPERIMENTS, namespace as string, name);
    }
  }
}

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
