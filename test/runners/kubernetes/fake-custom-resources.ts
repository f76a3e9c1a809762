import type { ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import {
  alreadyExists,
  checkResourceVersion,
  type FakeStore,
  HttpError,
  notFound,
  type StoredObject,
  status,
} from './fake-store.js';
import { nameProblems } from './fake-validation.js';

const GROUP = 'tuning.kubedl.io';
const API_VERSION = `${GROUP}/v1alpha1`;
const PLURAL = 'profilingexperiments';
const KIND = 'ProfilingExperiment';
const RESOURCE = { group: GROUP, plural: PLURAL };
const PATH =
  /^\/apis\/tuning\.kubedl\.io\/v1alpha1\/namespaces\/([^/]+)\/profilingexperiments(?:\/([^/]+))?(\/status)?$/;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Watcher {
  namespace: string;
  send(type: EventType, object: StoredObject): void;
  end(): void;
}

/**
 * The stand-in's ProfilingExperiments, served as the real API server serves a CRD with
 * `subresources: {status: {}}`: create, get, list (with the list's resourceVersion), replace, delete
 * and WATCH (newline-delimited JSON events ADDED / MODIFIED / DELETED, resumable from a
 * resourceVersion, an ERROR event with a 410 Status for a version older than the kept history), and
 * the `/status` subresource. As there: a write of the main resource ignores `status`, a write of
 * `/status` ignores everything but `status`, `metadata.generation` grows only when `spec` changes,
 * both conflict (409) on a stale `metadata.resourceVersion`, and a write that changes nothing is not
 * stored (no new resourceVersion, no event). Not checked: the CRD's openAPI schema (test/deploy checks
 * the schema offline), finalizers, patch.
 */
export class FakeCustomResources {
  private readonly history: { version: number; type: EventType; object: StoredObject }[] = [];
  /** Versions at or below this are forgotten (etcd compaction): watching from them is 410 Gone. */
  private compactedThrough = 0;
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly store: FakeStore) {}

  handles(path: string): boolean {
    return PATH.test(path);
  }

  /** Ends every open watch stream, as an API server does at its timeout or when it restarts. */
  closeWatches(): void {
    for (const watcher of [...this.watchers]) watcher.end();
  }

  /** Forgets the event history (as etcd compaction does): resuming a watch from before now is 410 Gone. */
  compact(): void {
    this.compactedThrough = Number(this.store.resourceVersion);
    this.history.length = 0;
  }

  /** Open watch streams, to tell a reconnect from a stream that was never closed. */
  get openWatches(): number {
    return this.watchers.size;
  }

  handle(method: string, url: URL, body: unknown, response: ServerResponse) {
    const match = PATH.exec(url.pathname) as RegExpExecArray;
    const namespace = decodeURIComponent(match[1] as string);
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const subresource = match[3] !== undefined;
    if (name === undefined && method === 'GET') {
      if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') {
        return this.watch(response, namespace, url.searchParams);
      }
      return send(response, 200, {
        apiVersion: API_VERSION,
        kind: `${KIND}List`,
        metadata: { resourceVersion: this.store.resourceVersion },
        items: this.store.list(PLURAL, namespace),
      });
    }
    if (name === undefined && method === 'POST' && !subresource)
      return this.create(response, namespace, body);
    if (name !== undefined && method === 'GET') return send(response, 200, this.existing(namespace, name));
    if (name !== undefined && method === 'PUT')
      return this.replace(response, namespace, name, body, subresource);
    if (name !== undefined && method === 'DELETE' && !subresource) {
      const object = this.existing(namespace, name);
      this.store.touch(object);
      this.store.remove(PLURAL, namespace, name);
      this.emit('DELETED', object);
      return send(response, 200, object);
    }
    throw new HttpError(
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
    );
  }

  private create(response: ServerResponse, namespace: string, body: unknown): void {
    const object = checked(body);
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
      throw new HttpError(
        status(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
    }
    const problems = nameProblems(object.metadata.name, PLURAL);
    if (problems.length > 0) {
      throw new HttpError(
        status(
          422,
          'Invalid',
          `${KIND}.${GROUP} "${object.metadata.name}" is invalid: ${problems.map(([f, m]) => `${f}: ${m}`).join(', ')}`,
          {
            name: object.metadata.name,
            group: GROUP,
            kind: KIND,
            causes: problems.map(([field, message]) => ({ field, message })),
          },
        ),
      );
    }
    if (this.store.get(PLURAL, namespace, object.metadata.name)) {
      throw alreadyExists(RESOURCE, object.metadata.name);
    }
    object.metadata.namespace = namespace;
    delete object.status; // the status subresource: a create cannot set it
    const stored = this.store.create(PLURAL, object);
    this.emit('ADDED', stored);
    send(response, 201, stored);
  }

  private replace(
    response: ServerResponse,
    namespace: string,
    name: string,
    body: unknown,
    statusOnly: boolean,
  ) {
    const current = this.existing(namespace, name);
    const object = checked(body);
    checkResourceVersion(RESOURCE, current, object);
    const next: StoredObject = statusOnly
      ? { ...structuredClone(current), status: object.status }
      : {
          ...object,
          metadata: {
            ...object.metadata,
            namespace,
            uid: current.metadata.uid,
            creationTimestamp: current.metadata.creationTimestamp,
            generation: current.metadata.generation,
            resourceVersion: current.metadata.resourceVersion,
          },
          status: current.status,
        };
    if (next.status === undefined) delete next.status;
    if (isDeepStrictEqual(next, current)) return send(response, 200, current);
    if (!statusOnly && !isDeepStrictEqual(next.spec, current.spec)) {
      next.metadata.generation = Number(current.metadata.generation ?? 1) + 1;
    }
    this.store.replace(PLURAL, next);
    this.emit('MODIFIED', next);
    send(response, 200, next);
  }

  private existing(namespace: string, name: string): StoredObject {
    const object = this.store.get(PLURAL, namespace, name);
    if (!object) throw notFound(RESOURCE, name);
    return object;
  }

  private emit(type: EventType, object: StoredObject): void {
    const copy = structuredClone(object);
    this.history.push({ version: Number(copy.metadata.resourceVersion), type, object: copy });
    for (const watcher of this.watchers)
      if (watcher.namespace === copy.metadata.namespace) watcher.send(type, copy);
  }

  /**
   * A watch: from `resourceVersion` (events after it, from the history), or without one (or "0") the
   * current objects as ADDED first; then live events until `timeoutSeconds`, closeWatches() or the
   * client leaves.
   */
  private watch(response: ServerResponse, namespace: string, query: URLSearchParams): void {
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const write = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
    const from = query.get('resourceVersion');
    if (from && from !== '0' && Number(from) < this.compactedThrough) {
      write('ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.compactedThrough})`));
      response.end();
      return;
    }
    if (!from || from === '0') {
      for (const object of this.store.list(PLURAL, namespace)) write('ADDED', object);
    } else {
      for (const event of this.history) {
        if (event.version > Number(from) && event.object.metadata.namespace === namespace)
          write(event.type, event.object);
      }
    }
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    const watcher: Watcher = {
      namespace,
      send: (type, object) => write(type, object),
      end: () => {
        this.watchers.delete(watcher);
        clearTimeout(timer);
        response.end();
      },
    };
    const timer = timeout > 0 ? setTimeout(() => watcher.end(), timeout * 1000) : undefined;
    this.watchers.add(watcher);
    response.once('close', () => {
      this.watchers.delete(watcher);
      clearTimeout(timer);
    });
  }
}

function checked(body: unknown): StoredObject {
  const object = body as StoredObject | undefined;
  if (!object || typeof object !== 'object' || typeof object.metadata !== 'object') {
    throw new HttpError(status(400, 'BadRequest', "Object 'metadata' is missing"));
  }
  if (object.apiVersion !== API_VERSION || object.kind !== KIND) {
    throw new HttpError(
      status(
        400,
        'BadRequest',
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${API_VERSION}) or kind (${object.kind} vs ${KIND})`,
      ),
    );
  }
  return structuredClone(object);
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
