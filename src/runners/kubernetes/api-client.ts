import { Agent, type Dispatcher, request } from 'undici';
import { KubernetesApiError } from './api-error.js';
import type { ClusterConnection } from './connection.js';
import type { List, Status } from './kube-types.js';
import { type ResourceKind, resourcePath } from './resources.js';

/**
 * A small typed client of the Kubernetes REST API for the namespaced objects the runner uses
 * (create, get, list by label selector, replace, delete; pod logs). Hand-written over undici instead
 * of @kubernetes/client-node: the 1.x line is the last that runs on Node 20 and it is not installed
 * here, the runner needs five verbs on five kinds, and plain REST calls are what the stand-in API
 * server of the tests speaks, so the code under test is the code that talks to a real cluster.
 * The runner follows changes by polling (a trial waits seconds to minutes, and a poll every half second
 * is cheap); the operator (src/operator) watches ProfilingExperiments, which may change at any time.
 */
export class KubeClient {
  private readonly agent: Agent;

  constructor(private readonly connection: ClusterConnection) {
    this.agent = new Agent({
      connect: {
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
        rejectUnauthorized: !connection.insecureSkipTlsVerify,
      },
    });
  }

  get server(): string {
    return this.connection.server;
  }

  create<T>(kind: ResourceKind<T>, namespace: string, body: T): Promise<T> {
    return this.call('POST', resourcePath(kind, namespace), `create ${kind.kind}`, body);
  }

  get<T>(kind: ResourceKind<T>, namespace: string, name: string): Promise<T> {
    return this.call('GET', resourcePath(kind, namespace, name), `get ${kind.kind} ${name}`);
  }

  /** Objects of a kind whose labels match the selector (`a=b,c`), in one namespace. */
  async list<T>(kind: ResourceKind<T>, namespace: string, labelSelector: string): Promise<T[]> {
    const path = `${resourcePath(kind, namespace)}?labelSelector=${encodeURIComponent(labelSelector)}`;
    const list = await this.call<List<T>>('GET', path, `list ${kind.plural}`);
    return list.items;
  }

  /** Every object of a kind in a namespace, with the list's resourceVersion: where a watch starts. */
  listAll<T>(kind: ResourceKind<T>, namespace: string): Promise<List<T>> {
    return this.call('GET', resourcePath(kind, namespace), `list ${kind.plural}`);
  }

  /** Writes only `status` (the `/status` subresource); conflicts on the body's resourceVersion. */
  replaceStatus<T>(kind: ResourceKind<T>, namespace: string, name: string, body: T): Promise<T> {
    return this.call(
      'PUT',
      `${resourcePath(kind, namespace, name)}/status`,
      `update status of ${kind.kind} ${name}`,
      body,
    );
  }

  /**
   * Watches a kind in a namespace from `resourceVersion`: the API server's newline-delimited JSON
   * events, until it ends the stream (its timeout, a restart) or `signal` aborts. A resourceVersion the
   * server no longer remembers comes back as an ERROR event carrying a 410 Status (or as HTTP 410).
   */
  async *watch<T>(
    kind: ResourceKind<T>,
    namespace: string,
    resourceVersion: string,
    signal: AbortSignal,
    timeoutSeconds = 300,
  ): AsyncGenerator<WatchEvent<T>> {
    const query = new URLSearchParams({
      watch: '1',
      resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    });
    const response = await request(`${this.connection.server}${resourcePath(kind, namespace)}?${query}`, {
      method: 'GET',
      dispatcher: this.agent,
      headers: this.headers('application/json'),
      signal,
      // The stream is idle between changes: no body timeout, only the server's own timeoutSeconds.
      bodyTimeout: 0,
    });
    if (response.statusCode >= 300) {
      throw KubernetesApiError.from(`watch ${kind.plural}`, response.statusCode, await response.body.text());
    }
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += (chunk as Buffer).toString('utf8');
      let end = buffered.indexOf('\n');
      while (end >= 0) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (line) yield JSON.parse(line) as WatchEvent<T>;
        end = buffered.indexOf('\n');
      }
    }
  }

  replace<T>(kind: ResourceKind<T>, namespace: string, name: string, body: T): Promise<T> {
    return this.call('PUT', resourcePath(kind, namespace, name), `replace ${kind.kind} ${name}`, body);
  }

  /**
   * Deletes an object; `Background` lets the garbage collector remove its pods after it answers, so a
   * trial's end does not wait for a grace period. A missing object is not an error.
   */
  async delete(
    kind: ResourceKind<unknown>,
    namespace: string,
    name: string,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<void> {
    await this.call(
      'DELETE',
      resourcePath(kind, namespace, name),
      `delete ${kind.kind} ${name}`,
      { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy },
      { missingOk: true },
    );
  }

  /** The last lines a pod's container wrote; `previous` for the run before its last restart. */
  podLogs(
    namespace: string,
    pod: string,
    options: { container?: string; previous?: boolean; tailLines?: number } = {},
  ): Promise<string> {
    const query = new URLSearchParams();
    if (options.container) query.set('container', options.container);
    if (options.previous) query.set('previous', 'true');
    query.set('tailLines', String(options.tailLines ?? 50));
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`;
    return this.call('GET', path, `logs of pod ${pod}`, undefined, { text: true });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private headers(accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (this.connection.token) headers.authorization = `Bearer ${this.connection.token}`;
    return headers;
  }

  private async call<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    operation: string,
    body?: unknown,
    options: { missingOk?: boolean; text?: boolean } = {},
  ): Promise<T> {
    const headers = this.headers(options.text ? 'text/plain' : 'application/json');
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(`${this.connection.server}${path}`, {
      method,
      dispatcher: this.agent,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.body.text();
    if (response.statusCode === 404 && options.missingOk) return undefined as T;
    if (response.statusCode >= 300) throw KubernetesApiError.from(operation, response.statusCode, text);
    return (options.text ? text : JSON.parse(text)) as T;
  }
}

/** One event of a watch stream; ERROR carries a meta/v1 Status (410 Gone: the version is too old). */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };
