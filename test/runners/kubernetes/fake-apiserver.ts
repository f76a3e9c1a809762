import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deployment, Job, Pod, Service } from '../../../src/runners/kubernetes/kube-types.js';
import { type ClusterOptions, FakeCluster } from './fake-cluster.js';
import { FakeCustomResources } from './fake-custom-resources.js';
import type { FakeImage } from './fake-kubelet.js';
import {
  alreadyExists,
  checkResourceVersion,
  FakeStore,
  HttpError,
  notFound,
  parseSelector,
  type StoredObject,
  status,
} from './fake-store.js';
import { type FieldProblem, labelProblems, nameProblems, podSpecProblems } from './fake-validation.js';

/**
 * A STAND-IN for a Kubernetes API server, for tests on machines where no real cluster can run. It
 * speaks the REST API (JSON over HTTP) for exactly what the kubernetes runner uses — namespaced
 * Deployments, Services, Jobs, Pods (+ pod logs) and Leases: create, get, list with a label selector,
 * replace (with resourceVersion conflicts), delete (with the real default propagation per kind) — and
 * answers errors with meta/v1 Status objects shaped like the real ones (404 NotFound, 409
 * AlreadyExists / Conflict, 422 Invalid, 400 BadRequest, 401 Unauthorized). Behind it, FakeCluster
 * simulates the controllers, a one-node scheduler and a kubelet that really runs containers as local
 * processes. ProfilingExperiments are served by FakeCustomResources (list, watch, status subresource).
 * It is not Kubernetes: no watch of built-in kinds, no server-side apply, no patch, one node, no CPU
 * limits, compressed time. What it rejects or how it fails is decided by its own rules, never by a test.
 */
export interface FakeApiServerOptions {
  images: Record<string, FakeImage>;
  allocatable?: Record<string, string>;
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  cluster?: Partial<ClusterOptions>;
}

interface Route {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const ROUTES: Route[] = [
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' },
  { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
];

/** What the server received: method, path with query, and the JSON body. */
export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
  /** The HTTP status the stand-in answered with, once it answered. */
  code?: number;
}

export class FakeApiServer {
  readonly store = new FakeStore();
  readonly requests: RecordedRequest[] = [];
  readonly cluster: FakeCluster;
  /** ProfilingExperiments (tuning.kubedl.io/v1alpha1), with watch and the status subresource. */
  readonly customResources = new FakeCustomResources(this.store);
  /**
   * Called before each request is handled: a test can act as ANOTHER CLIENT at that moment (e.g.
   * `kubectl label` an object between the operator's read and its write); the stand-in's answer to the
   * request itself still follows its own rules.
   */
  onRequest: ((method: string, path: string) => Promise<void>) | undefined;
  private server: Server | undefined;

  constructor(private readonly options: FakeApiServerOptions) {
    this.cluster = new FakeCluster(this.store, {
      images: options.images,
      allocatable: options.allocatable ?? { cpu: '2', memory: '4Gi', pods: '110' },
      nodeName: 'fake-node-1',
      tickMs: 100,
      probePeriodMs: 200,
      backoffBaseMs: 400,
      memoryCheckMs: 50,
      terminationGraceMs: 2000,
      ...options.cluster,
    });
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        const body = error instanceof HttpError ? error.body : status(500, 'InternalError', String(error));
        send(response, body.code, body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.customResources.closeWatches();
    await this.cluster.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The objects of a kind the store holds (what the runner created, with the server's defaults). */
  objects<T>(plural: string, labelSelector?: string): (T & StoredObject)[] {
    return this.store.list(plural, undefined, labelSelector) as (T & StoredObject)[];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      throw new HttpError(status(400, 'BadRequest', 'the body of the request was in an unknown format'));
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      body,
    };
    this.requests.push(recorded);
    response.once('finish', () => {
      recorded.code = response.statusCode;
    });
    if (this.options.token && request.headers.authorization !== `Bearer ${this.options.token}`) {
      throw new HttpError(status(401, 'Unauthorized', 'Unauthorized'));
    }
    await this.onRequest?.(recorded.method, url.pathname);
    if (this.customResources.handles(url.pathname)) {
      return this.customResources.handle(request.method ?? 'GET', url, body, response);
    }
    const match =
      /^\/api\/v1\/namespaces\/([^/]+)\/(services|pods)(?:\/([^/]+))?(\/log)?$/.exec(url.pathname) ??
      /^\/apis\/(?:apps|batch|coordination\.k8s\.io)\/v1\/namespaces\/([^/]+)\/(deployments|jobs|leases)(?:\/([^/]+))?()$/.exec(
        url.pathname,
      );
    const route = ROUTES.find(
      (r) => r.plural === match?.[2] && url.pathname.startsWith(r.group ? `/apis/${r.group}/` : '/api/'),
    );
    if (!match || !route) {
      throw new HttpError(status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const namespace = decodeURIComponent(match[1] as string);
    const name = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    const method = request.method ?? 'GET';
    if (match[4]) return this.logs(response, namespace, name as string, url.searchParams);
    if (name === undefined && method === 'GET')
      return this.list(response, route, namespace, url.searchParams.get('labelSelector'));
    if (name === undefined && method === 'POST') return this.create(response, route, namespace, body);
    if (name !== undefined && method === 'GET')
      return send(response, 200, this.existing(route, namespace, name));
    if (name !== undefined && method === 'PUT') return this.replace(response, route, namespace, name, body);
    if (name !== undefined && method === 'DELETE') {
      const policy =
        (body as { propagationPolicy?: string } | undefined)?.propagationPolicy ??
        url.searchParams.get('propagationPolicy');
      return this.delete(response, route, namespace, name, policy ?? undefined);
    }
    throw new HttpError(
      status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
    );
  }

  private existing(route: Route, namespace: string, name: string): StoredObject {
    const object = this.store.get(route.plural, namespace, name);
    if (!object) throw notFound(route, name);
    return object;
  }

  private list(
    response: ServerResponse,
    route: Route,
    namespace: string,
    labelSelector: string | null,
  ): void {
    try {
      if (labelSelector) parseSelector(labelSelector);
    } catch (error) {
      throw new HttpError(status(400, 'BadRequest', (error as Error).message));
    }
    send(response, 200, {
      apiVersion: route.group ? `${route.group}/${route.version}` : route.version,
      kind: `${route.kind}List`,
      metadata: { resourceVersion: this.store.resourceVersion },
      items: this.store.list(route.plural, namespace, labelSelector ?? undefined),
    });
  }

  private async create(
    response: ServerResponse,
    route: Route,
    namespace: string,
    body: unknown,
  ): Promise<void> {
    if (route.plural === 'pods') {
      throw new HttpError(
        status(405, 'MethodNotAllowed', 'the stand-in creates pods only through its controllers'),
      );
    }
    const object = checkKind(route, body);
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
      throw new HttpError(
        status(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
    }
    object.metadata.namespace = namespace;
    invalid(route, object, this.problems(route, object));
    if (this.store.get(route.plural, namespace, object.metadata.name)) {
      throw alreadyExists(route, object.metadata.name);
    }
    applyDefaults(route, object);
    const stored = this.store.create(route.plural, object);
    if (route.plural === 'services') await this.cluster.addService(stored as StoredObject & Service);
    send(response, 201, stored);
  }

  private replace(
    response: ServerResponse,
    route: Route,
    namespace: string,
    name: string,
    body: unknown,
  ): void {
    const current = this.existing(route, namespace, name);
    const object = checkKind(route, body);
    checkResourceVersion(route, current, object);
    invalid(route, object, this.problems(route, object));
    object.metadata = {
      ...object.metadata,
      namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
    };
    this.store.replace(route.plural, object as StoredObject);
    send(response, 200, object);
  }

  private async delete(
    response: ServerResponse,
    route: Route,
    namespace: string,
    name: string,
    policy?: string,
  ): Promise<void> {
    const object = this.existing(route, namespace, name);
    if (route.plural === 'pods') {
      object.metadata.deletionTimestamp = new Date().toISOString();
      this.store.touch(object);
      return send(response, 200, object);
    }
    // batch/v1 Jobs orphan their pods unless told otherwise; apps/v1 Deployments delete them.
    const effective = policy ?? (route.plural === 'jobs' ? 'Orphan' : 'Background');
    if (effective === 'Orphan') {
      for (const pod of this.store.list('pods', namespace)) {
        const refs = pod.metadata.ownerReferences as { uid: string }[] | undefined;
        if (refs?.some((ref) => ref.uid === object.metadata.uid)) {
          pod.metadata.ownerReferences = refs.filter((ref) => ref.uid !== object.metadata.uid);
          this.store.touch(pod);
        }
      }
    }
    if (route.plural === 'services') await this.cluster.removeService(object as StoredObject & Service);
    this.store.remove(route.plural, namespace, name);
    send(response, 200, object);
  }

  private logs(response: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
    const pod = this.existing(
      ROUTES.find((r) => r.plural === 'pods') as Route,
      namespace,
      name,
    ) as StoredObject & Pod;
    const container = query.get('container') ?? pod.spec.containers[0]?.name ?? '';
    if (!query.get('container') && pod.spec.containers.length > 1) {
      throw new HttpError(
        status(
          400,
          'BadRequest',
          `a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`,
        ),
      );
    }
    const output = this.cluster.kubelet.logs(pod.metadata.uid, container, query.get('previous') === 'true');
    if (output instanceof Error) throw new HttpError(status(400, 'BadRequest', output.message));
    const tail = Number(query.get('tailLines') ?? Number.NaN);
    const lines = output.split('\n');
    const text = Number.isInteger(tail)
      ? lines.slice(-tail - (output.endsWith('\n') ? 1 : 0)).join('\n')
      : output;
    response.writeHead(200, { 'content-type': 'text/plain' }).end(text);
  }

  private problems(route: Route, object: StoredObject): FieldProblem[] {
    const problems = [
      ...nameProblems(object.metadata.name, route.plural),
      ...labelProblems(object.metadata.labels, 'metadata.labels'),
    ];
    if (route.plural === 'deployments') {
      const deployment = object as unknown as Deployment;
      const template = deployment.spec?.template;
      problems.push(...labelProblems(template?.metadata?.labels, 'spec.template.metadata.labels'));
      problems.push(...podSpecProblems(template?.spec, 'spec.template.spec'));
      const selector = deployment.spec?.selector?.matchLabels ?? {};
      if (
        Object.entries(selector).some(([k, v]) => template?.metadata?.labels?.[k] !== v) ||
        Object.keys(selector).length === 0
      ) {
        problems.push(['spec.template.metadata.labels', '`selector` does not match template `labels`']);
      }
      if (template?.spec?.restartPolicy && template.spec.restartPolicy !== 'Always') {
        problems.push([
          'spec.template.spec.restartPolicy',
          `Unsupported value: "${template.spec.restartPolicy}": supported values: "Always"`,
        ]);
      }
    }
    if (route.plural === 'jobs') {
      const job = object as unknown as Job;
      problems.push(...labelProblems(job.spec?.template?.metadata?.labels, 'spec.template.metadata.labels'));
      problems.push(...podSpecProblems(job.spec?.template?.spec, 'spec.template.spec'));
      const policy = job.spec?.template?.spec?.restartPolicy;
      if (policy !== 'Never' && policy !== 'OnFailure') {
        problems.push([
          'spec.template.spec.restartPolicy',
          `Unsupported value: "${policy ?? 'Always'}": supported values: "OnFailure", "Never"`,
        ]);
      }
    }
    if (route.plural === 'services') {
      const service = object as unknown as Service;
      if (!service.spec?.ports?.length) problems.push(['spec.ports', 'Required value']);
      problems.push(...labelProblems(service.spec?.selector, 'spec.selector'));
    }
    return problems;
  }
}

function checkKind(route: Route, body: unknown): StoredObject {
  const object = body as StoredObject | undefined;
  const apiVersion = route.group ? `${route.group}/${route.version}` : route.version;
  if (!object || typeof object !== 'object' || typeof object.metadata !== 'object') {
    throw new HttpError(status(400, 'BadRequest', "Object 'metadata' is missing"));
  }
  if (object.apiVersion !== apiVersion || object.kind !== route.kind) {
    throw new HttpError(
      status(
        400,
        'BadRequest',
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersion}) or kind (${object.kind} vs ${route.kind})`,
      ),
    );
  }
  return structuredClone(object);
}

function invalid(route: Route, object: StoredObject, problems: FieldProblem[]): void {
  if (problems.length === 0) return;
  const name = object.metadata.name;
  const message = `${route.kind}${route.group ? `.${route.group}` : ''} "${name}" is invalid: ${problems.map(([field, text]) => `${field}: ${text}`).join(', ')}`;
  throw new HttpError(
    status(422, 'Invalid', message, {
      name,
      group: route.group,
      kind: route.kind,
      causes: problems.map(([field, text]) => ({ reason: 'FieldValueInvalid', message: text, field })),
    }),
  );
}

/** The defaults the real API server fills in for the fields the stand-in's controllers read. */
function applyDefaults(route: Route, object: StoredObject): void {
  if (route.plural === 'deployments') {
    const spec = (object as unknown as Deployment).spec;
    spec.replicas ??= 1;
    spec.progressDeadlineSeconds ??= 600;
    spec.template.spec.restartPolicy ??= 'Always';
  }
  if (route.plural === 'jobs') {
    const job = object as unknown as Job;
    job.spec.backoffLimit ??= 6;
  }
  if (route.plural === 'services') {
    const service = object as unknown as Service;
    service.spec.type ??= 'ClusterIP';
    for (const port of service.spec.ports) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
