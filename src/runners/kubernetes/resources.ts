import type { Deployment, Job, Lease, Pod, Service } from './kube-types.js';

/** Where a kind of object lives in the REST API: `{prefix}/namespaces/{ns}/{plural}/{name}`. */
export interface ResourceKind<T> {
  readonly kind: string;
  readonly apiVersion: string;
  readonly prefix: string;
  readonly plural: string;
  /** Phantom: the object type, for the client's return types. */
  readonly type?: T;
}

function kind<T>(kindName: string, apiVersion: string, plural: string): ResourceKind<T> {
  const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return Object.freeze({ kind: kindName, apiVersion, prefix, plural });
}

/** The kinds the runner uses: the RBAC Role in deploy/ grants exactly these. */
export const KINDS = {
  deployment: kind<Deployment>('Deployment', 'apps/v1', 'deployments'),
  service: kind<Service>('Service', 'v1', 'services'),
  job: kind<Job>('Job', 'batch/v1', 'jobs'),
  pod: kind<Pod>('Pod', 'v1', 'pods'),
  lease: kind<Lease>('Lease', 'coordination.k8s.io/v1', 'leases'),
} as const;

export function resourcePath(resource: ResourceKind<unknown>, namespace: string, name?: string): string {
  const base = `${resource.prefix}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}
