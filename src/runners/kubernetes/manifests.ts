import { SpecError } from '../../errors.js';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import type { TrialRequest } from '../runner.js';
import { withKnobs } from './container-knobs.js';
import type { Container, Deployment, Job, PodTemplateSpec, Service } from './kube-types.js';
import { LABEL } from './names.js';

export interface ManifestOptions {
  namespace: string;
  /** The server image when the spec has no `servicePodTemplate`. */
  image: string;
  /** The server's port when the template's container declares none. */
  port: number;
  /** Containers that get the knobs; default all, as alibaba/morphling does. */
  containers?: readonly string[];
  /** Seconds the Deployment may take to become available before Kubernetes reports it stuck. */
  progressDeadlineSeconds: number;
}

/** The program the default client Job runs inside the image (see load-client.ts). */
const LOAD_CLIENT_COMMAND = ['/usr/local/bin/node', 'dist/runners/kubernetes/load-client.js'];

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The serving pod template: `spec.servicePodTemplate.template` (alibaba/morphling's field, a
 * PodTemplate) as written, or one container of `image` started like the other runners start the
 * bundled server (`spec.service`: model, env, command, args).
 */
export function servicePodTemplate(
  experiment: ResolvedExperiment,
  options: ManifestOptions,
): PodTemplateSpec {
  const given = experiment.document.spec.servicePodTemplate as { template?: PodTemplateSpec } | undefined;
  if (given) {
    const template = given.template;
    const containers = template?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0 || containers.some((c) => !c?.name)) {
      throw new SpecError([
        {
          path: 'spec.servicePodTemplate.template.spec.containers',
          message:
            "must list the serving pod's containers, each with a name (a PodTemplate, as in alibaba/morphling)",
        },
      ]);
    }
    return clone(template as PodTemplateSpec);
  }
  const service = experiment.service;
  const env: Record<string, string> = {
    ...(service?.model ? { MODEL_NAME: service.model } : {}),
    ...service?.env,
  };
  env.PORT = String(options.port);
  return {
    spec: {
      containers: [
        {
          name: 'server',
          image: options.image,
          ...(service?.command ? { command: service.command } : {}),
          ...(service?.args.length ? { args: [...service.args] } : {}),
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          ports: [{ containerPort: options.port, name: 'http', protocol: 'TCP' }],
        },
      ],
    },
  };
}

/** The port the Service forwards to: the first port the first knob-receiving container declares. */
function serverPort(template: PodTemplateSpec, options: ManifestOptions): number {
  const target =
    template.spec.containers.find((c) => receivesKnobs(c, options)) ?? template.spec.containers[0];
  return target?.ports?.[0]?.containerPort ?? options.port;
}

function receivesKnobs(container: Container, options: ManifestOptions): boolean {
  return !options.containers || options.containers.includes(container.name);
}

/**
 * A trial's serving Deployment (one replica) and ClusterIP Service. Knobs go into the chosen
 * containers; a container without a readiness probe gets one on the spec's readiness path, so that
 * "available" means "serving", not merely "started".
 */
export function serverObjects(
  experiment: ResolvedExperiment,
  request: TrialRequest,
  name: string,
  labels: Record<string, string>,
  options: ManifestOptions,
): { deployment: Deployment; service: Service; port: number } {
  const template = servicePodTemplate(experiment, options);
  const port = serverPort(template, options);
  const readinessPath = experiment.service?.readinessPath ?? '/v2/health/ready';
  const podLabels = { ...labels, [LABEL.role]: 'server' };
  const containers = template.spec.containers.map((container) => {
    if (!receivesKnobs(container, options)) return container;
    const tuned = withKnobs(container, request.space, request.config);
    return tuned.readinessProbe
      ? tuned
      : {
          ...tuned,
          readinessProbe: { httpGet: { path: readinessPath, port }, periodSeconds: 2, failureThreshold: 3 },
        };
  });
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: options.namespace, labels: podLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: podLabels },
      progressDeadlineSeconds: options.progressDeadlineSeconds,
      template: {
        metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...podLabels } },
        spec: { ...template.spec, containers, restartPolicy: 'Always' },
      },
    },
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.namespace, labels: podLabels },
    spec: {
      type: 'ClusterIP',
      selector: podLabels,
      ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
    },
  };
  return { deployment, service, port };
}

export interface ClientJobOptions {
  namespace: string;
  image: string;
  /** The serving instance as the Job's pod reaches it. */
  target: string;
  serviceName: string;
  deadlineSeconds: number;
}

/**
 * The stress-test Job of a trial: `spec.clientTemplate` (alibaba/morphling's JobTemplateSpec) or our
 * load client in `image`. Every container gets the target and the trial's assignments as environment
 * variables — alibaba/morphling's names (`ServiceName`, `TrialName`, `Namespace`, `RequestTemplate`,
 * one per knob, upper-cased) plus ours (`MORPHLING_TARGET`, `MORPHLING_LOAD`: the load settings and SLO as JSON).
 * Never restarted, no retries (backoffLimit 0): a second run would measure a server already loaded.
 */
export function clientJob(
  experiment: ResolvedExperiment,
  request: TrialRequest,
  name: string,
  labels: Record<string, string>,
  options: ClientJobOptions,
): Job {
  const given = experiment.document.spec.clientTemplate as
    | { metadata?: { labels?: Record<string, string> }; spec?: Job['spec'] }
    | undefined;
  const podLabels = { ...labels, [LABEL.role]: 'client' };
  const spec: Job['spec'] = given?.spec
    ? clone(given.spec)
    : {
        template: {
          spec: { containers: [{ name: 'client', image: options.image, command: LOAD_CLIENT_COMMAND }] },
        },
      };
  const env = {
    MORPHLING_TARGET: options.target,
    MORPHLING_LOAD: JSON.stringify({
      load: experiment.load,
      slo: experiment.objective.slo,
      model: experiment.service?.model,
    }),
    ServiceName: options.serviceName,
    TrialName: name,
    Namespace: options.namespace,
    RequestTemplate: experiment.document.spec.requestTemplate ?? '',
    ...assignmentEnv(request),
  };
  const containers = spec.template.spec.containers.map((container) => ({
    ...container,
    env: [
      ...(container.env ?? []).filter((variable) => !Object.hasOwn(env, variable.name)),
      ...Object.entries(env).map(([key, value]) => ({ name: key, value })),
    ],
  }));
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: options.namespace, labels: { ...given?.metadata?.labels, ...podLabels } },
    spec: {
      ...spec,
      backoffLimit: spec.backoffLimit ?? 0,
      activeDeadlineSeconds: spec.activeDeadlineSeconds ?? options.deadlineSeconds,
      template: {
        ...spec.template,
        metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, ...podLabels } },
        spec: {
          ...spec.template.spec,
          containers,
          restartPolicy: spec.template.spec.restartPolicy ?? 'Never',
        },
      },
    },
  };
}

/** Every knob of the trial as alibaba/morphling names it for the client: `nvidia.com/gpu` → `NVIDIA_COM_GPU`. */
function assignmentEnv(request: TrialRequest): Record<string, string> {
  return Object.fromEntries(
    request.space.parameters
      .filter((p) => request.config[p.name] !== undefined)
      .map((p) => [p.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_'), String(request.config[p.name])]),
  );
}
