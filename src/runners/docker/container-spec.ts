import { basename, isAbsolute, resolve } from 'node:path';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import { knobArgs, knobEnv, withPort } from '../knobs.js';
import type { TrialRequest } from '../runner.js';
import type { ContainerCreateBody } from './engine-types.js';
import { trialLabels } from './labels.js';
import { hostConfigLimits } from './resource-limits.js';

export interface ContainerOptions {
  image: string;
  /** The port the server listens on inside the container. */
  containerPort: number;
  /** A Docker network name; `host` shares this machine's network (no port publishing). */
  network?: string;
  /** With `network: host`: the port on this machine the server is told to listen on. */
  hostPort?: number;
  /** CPUs of the instance when the space does not tune `cpuset`. */
  instanceCpus?: string;
  stopTimeoutSeconds: number;
}

/** Where a model file of the spec is mounted inside the container. */
const MODEL_DIR = '/models';

/** The container name of one attempt of one trial, unique per controller process. */
export function containerName(request: Pick<TrialRequest, 'experiment' | 'trialId' | 'attempt'>): string {
  return `morphling-${request.experiment}-t${request.trialId}-a${request.attempt}-${process.pid}`;
}

/**
 * The create request of a trial's container: the image's entrypoint (or `spec.service.command`), the
 * service's args then the `args` knobs as the command; the service's env then the `env` knobs as
 * environment; `resource` knobs as container limits; the server's port published on 127.0.0.1 only,
 * on a port the daemon picks; labels for leftover cleanup. A model given as an `.onnx` path is
 * bind-mounted read-only.
 */
export function containerSpec(
  experiment: ResolvedExperiment,
  request: TrialRequest,
  options: ContainerOptions,
): ContainerCreateBody {
  const service = experiment.service;
  const hostNetwork = options.network === 'host';
  const port = hostNetwork ? (options.hostPort as number) : options.containerPort;
  const env: Record<string, string> = {};
  const mounts: NonNullable<ContainerCreateBody['HostConfig']['Mounts']> = [];
  if (service?.model) {
    const model = service.model;
    if (model.endsWith('.onnx')) {
      const source = isAbsolute(model) ? model : resolve(experiment.baseDir, model);
      const target = `${MODEL_DIR}/${basename(model)}`;
      mounts.push({ Type: 'bind', Source: source, Target: target, ReadOnly: true });
      env.MODEL_NAME = target;
    } else env.MODEL_NAME = model;
  }
  Object.assign(env, service?.env ?? {}, knobEnv(request.space, request.config));
  env.PORT = String(port);
  // On the host's network the bundled server must not listen on every interface of this machine.
  if (hostNetwork) env.HOST = '127.0.0.1';

  const portKey = `${options.containerPort}/tcp`;
  const limits = hostConfigLimits(request.space, request.config, options.instanceCpus);
  return {
    Image: options.image,
    ...(service?.command ? { Entrypoint: withPort(service.command, port) } : {}),
    Cmd: withPort([...(service?.args ?? []), ...knobArgs(request.space, request.config)], port),
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: trialLabels(request.experiment, request.trialId, request.attempt),
    ...(hostNetwork ? {} : { ExposedPorts: { [portKey]: {} } }),
    StopTimeout: options.stopTimeoutSeconds,
    HostConfig: {
      ...limits,
      ...(hostNetwork
        ? { NetworkMode: 'host' }
        : {
            NetworkMode: options.network ?? 'bridge',
            // Loopback only: a trial's server is for the load client here, not for the network.
            PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
          }),
      ...(mounts.length > 0 ? { Mounts: mounts } : {}),
      AutoRemove: false,
    },
  };
}

/** The host port the daemon published the server's port on, from an inspect answer. */
export function publishedPort(
  ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null | undefined,
  containerPort: number,
): number | undefined {
  const bindings = ports?.[`${containerPort}/tcp`] ?? [];
  const binding = bindings.find((b) => b.HostIp === '127.0.0.1') ?? bindings[0];
  const port = Number(binding?.HostPort);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}
