import { randomUUID } from 'node:crypto';
import type { ObjectMeta, Status } from '../../../src/runners/kubernetes/kube-types.js';

/**
 * The object store of the stand-in API server (what etcd is to a real one): objects by resource,
 * namespace and name, a global resourceVersion, uids and creation timestamps, and equality-based label
 * selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`, comma = and), as the real API server evaluates them.
 */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string; namespace: string; uid: string; resourceVersion: string };
  [field: string]: unknown;
}

export class FakeStore {
  private readonly objects = new Map<string, StoredObject>();
  private version = 1000;

  private key(plural: string, namespace: string, name: string): string {
    return `${plural}/${namespace}/${name}`;
  }

  get(plural: string, namespace: string, name: string): StoredObject | undefined {
    return this.objects.get(this.key(plural, namespace, name));
  }

  list(plural: string, namespace?: string, labelSelector?: string): StoredObject[] {
    const match = labelSelector ? parseSelector(labelSelector) : () => true;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(`${plural}/${namespace === undefined ? '' : `${namespace}/`}`))
      .map(([, object]) => object)
      .filter((object) => match(object.metadata.labels ?? {}));
  }

  /** Stores a new object: uid, resourceVersion and creationTimestamp as the API server sets them. */
  create(plural: string, object: Omit<StoredObject, 'metadata'> & { metadata: ObjectMeta }): StoredObject {
    const stored = object as StoredObject;
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    stored.metadata.generation = 1;
    this.objects.set(this.key(plural, stored.metadata.namespace, stored.metadata.name), stored);
    this.touch(stored);
    return stored;
  }

  /** Records a change (a new resourceVersion), as every write does. */
  touch(object: StoredObject): void {
    object.metadata.resourceVersion = String(++this.version);
  }

  replace(plural: string, object: StoredObject): void {
    this.objects.set(this.key(plural, object.metadata.namespace, object.metadata.name), object);
    this.touch(object);
  }

  remove(plural: string, namespace: string, name: string): void {
    this.objects.delete(this.key(plural, namespace, name));
  }

  get resourceVersion(): string {
    return String(this.version);
  }
}

/** An equality-based selector as a predicate; throws (→ 400) on syntax the stand-in does not support. */
export function parseSelector(text: string): (labels: Record<string, string>) => boolean {
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const notEqual = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(term);
      if (notEqual) return (l: Record<string, string>) => l[notEqual[1] as string] !== notEqual[2];
      const equal = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(term);
      if (equal) return (l: Record<string, string>) => l[equal[1] as string] === equal[2];
      const absent = /^!([^!=\s]+)$/.exec(term);
      if (absent) return (l: Record<string, string>) => !Object.hasOwn(l, absent[1] as string);
      if (/^[^!=\s()]+$/.test(term)) return (l: Record<string, string>) => Object.hasOwn(l, term);
      throw new Error(`unable to parse requirement: ${term}`);
    });
  return (labels) => terms.every((term) => term(labels));
}

/** A meta/v1 Status error body, shaped as a real API server sends it. */
export function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** An error answer: thrown by the stand-in's handlers, sent as its meta/v1 Status. */
export class HttpError extends Error {
  constructor(readonly body: Status) {
    super(body.message);
  }
}

/** A kind of object as the API server names it in its errors: `deployments.apps`, `pods`. */
export interface ResourceName {
  readonly group: string;
  readonly plural: string;
}

function qualified(resource: ResourceName): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function conflict(resource: ResourceName, reason: string, name: string, message: string): HttpError {
  return new HttpError(status(409, reason, message, { name, group: resource.group, kind: resource.plural }));
}

/** 404 NotFound, as a read, write or delete of a missing object gets it. */
export function notFound(resource: ResourceName, name: string): HttpError {
  return new HttpError(
    status(404, 'NotFound', `${qualified(resource)} "${name}" not found`, {
      name,
      group: resource.group,
      kind: resource.plural,
    }),
  );
}

/** 409 AlreadyExists, as a create of a taken name gets it. */
export function alreadyExists(resource: ResourceName, name: string): HttpError {
  return conflict(resource, 'AlreadyExists', name, `${qualified(resource)} "${name}" already exists`);
}

/** Optimistic concurrency: a write carrying a resourceVersion other than the stored one's is a 409 Conflict. */
export function checkResourceVersion(
  resource: ResourceName,
  current: StoredObject,
  object: StoredObject,
): void {
  const version = object.metadata.resourceVersion;
  if (version === undefined || version === current.metadata.resourceVersion) return;
  const name = current.metadata.name;
  throw conflict(
    resource,
    'Conflict',
    name,
    `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}
