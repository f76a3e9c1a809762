import { z } from 'zod';
import { SpecError, type SpecProblem, TrialFaultError } from '../../errors.js';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import { cpuBeyondCpuset, instanceCpuset } from '../cpu-budget.js';
import { defineRunner } from '../definition.js';
import { waitForHttp } from '../http-readiness.js';
import { freePort } from '../local/free-port.js';
import { outputTail } from '../output-tail.js';
import type { Instance, Runner, TrialRequest } from '../runner.js';
import { type ContainerOptions, containerName, containerSpec, publishedPort } from './container-spec.js';
import { DockerApiError, DockerEngine } from './engine-client.js';
import type { ContainerInspect } from './engine-types.js';
import { containerExitCause } from './exit-cause.js';
import { controllerIsDead, LABEL } from './labels.js';
import { removeDockerLeftovers } from './leftovers.js';
import { enforcedLimits, resourceKnobProblems } from './resource-limits.js';

const Settings = z.strictObject({
  /** The serving image; `scripts/docker-image.sh` builds the default from this repository, offline. */
  image: z.string().min(1).default('morphling-server:local'),
  /** The daemon's unix socket; default `$DOCKER_HOST` when it is a unix:// address. */
  socketPath: z.string().min(1).optional(),
  /**
   * A Docker network for the containers (default: the `bridge` network, the port published on
   * 127.0.0.1). `host` shares this machine's network, for daemons whose bridge cannot work (no
   * iptables in a sandbox): the server is then told a free port and to listen on 127.0.0.1.
   */
  network: z.string().min(1).optional(),
  /** The port the server listens on inside the container (the image's `PORT`). */
  port: z.int().min(1).max(65535).default(8080),
  /** Keep the instance off the load client's CPU (CPU 0), as the local runner does. */
  isolateClient: z.boolean().default(true),
  /** CPUs of the instance when the space has no `cpuset` knob; default all but CPU 0. */
  instanceCpus: z.string().optional(),
  /** How long a server gets to exit after SIGTERM before SIGKILL. */
  stopTimeoutSeconds: z.int().min(0).max(300).default(3),
  /** Engine API version to speak (1.41 = Docker 20.10; newer daemons accept it). */
  apiVersion: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('1.41'),
});
type DockerSettings = z.infer<typeof Settings>;

/**
 * Runs each trial's serving instance as a container through the Docker Engine API: `resource` knobs as
 * container limits (`--cpus`, `--memory` without swap, `--cpuset-cpus`, GPUs), `env` and `args` knobs
 * injected, the server's port published on 127.0.0.1, the limits the daemon applied recorded per trial,
 * the container's last output kept in the trial's error, and the container removed afterwards — also
 * when a controller died before it could (labels name the controller; `cleanup` removes them).
 */
export const docker = defineRunner({
  name: 'docker',
  description: 'container through the Docker Engine API, with container CPU, memory and GPU limits',
  settings: Settings,
  async create(settings, experiment) {
    const socketPath = settings.socketPath ?? socketFromEnv() ?? '/var/run/docker.sock';
    const instanceCpus = instanceCpuset(settings);
    checkSpace(experiment, instanceCpus);
    const engine = new DockerEngine(socketPath, settings.apiVersion);
    try {
      await engine.ping();
    } catch (error) {
      await engine.close();
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(
        `cannot reach the Docker daemon at ${socketPath} (${reason}): start dockerd, or set spec.runner.settings.socketPath`,
      );
    }
    if (!(await engine.inspectImage(settings.image))) {
      await engine.close();
      throw new Error(
        `the Docker daemon has no image ${settings.image}: build it with scripts/docker-image.sh (no registry is used)`,
      );
    }
    return new DockerRunner(experiment, settings, engine, instanceCpus);
  },
});

class DockerRunner implements Runner {
  readonly name = 'docker';

  constructor(
    private readonly experiment: ResolvedExperiment,
    private readonly settings: DockerSettings,
    private readonly engine: DockerEngine,
    private readonly instanceCpus: string | undefined,
  ) {}

  async cleanup(): Promise<void> {
    await removeDockerLeftovers(this.engine);
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  async start(request: TrialRequest): Promise<Instance> {
    const engine = this.engine;
    const hostNetwork = this.settings.network === 'host';
    const options: ContainerOptions = {
      image: this.settings.image,
      containerPort: this.settings.port,
      network: this.settings.network,
      hostPort: hostNetwork ? await freePort() : undefined,
      instanceCpus: this.instanceCpus,
      stopTimeoutSeconds: this.settings.stopTimeoutSeconds,
    };
    const name = containerName(request);
    const { Id: id, Warnings: warnings } = await this.create(
      name,
      containerSpec(this.experiment, request, options),
    );

    const waiting = new AbortController();
    let exited = false;
    let died: Promise<void> = Promise.resolve();
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await engine.stopContainer(id, this.settings.stopTimeoutSeconds).catch(() => {});
        waiting.abort();
        await engine.removeContainer(id);
      })();
      return stopping;
    };
    const exitCause = async () => {
      const inspect = await engine.inspectContainer(id);
      if (inspect?.State.Running) return undefined;
      return containerExitCause(inspect, await engine.logs(id).catch(() => ''));
    };

    try {
      await engine.startContainer(id).catch((error: unknown) => {
        throw startFault(error);
      });
      // Waits for "not running" once started: asked before the start, the daemon answers at once.
      died = engine.wait(id, waiting.signal).then(
        () => {
          exited = true;
        },
        () => {},
      );
      const inspect = (await engine.inspectContainer(id)) as ContainerInspect;
      const port = hostNetwork
        ? options.hostPort
        : publishedPort(inspect.NetworkSettings.Ports, options.containerPort);
      if (port === undefined) {
        throw (
          (await exitCause()) ??
          new TrialFaultError(`the daemon published no port for ${options.containerPort}/tcp`, 'no-port')
        );
      }
      const endpoint = `http://127.0.0.1:${port}`;
      const service = this.experiment.service;
      const deadline = service?.startTimeoutSeconds ?? 60;
      const readiness = await waitForHttp(`${endpoint}${service?.readinessPath ?? '/v2/health/ready'}`, {
        deadlineMs: deadline * 1000,
        signal: request.signal,
        gone: () => exited,
      });
      if (!readiness.ready) {
        throw (
          (await exitCause()) ??
          new TrialFaultError(
            `the container was not ready within ${deadline} s${outputTail(await engine.logs(id).catch(() => ''))}`,
            'not-ready',
          )
        );
      }
      const limits = {
        ...enforcedLimits(inspect),
        container: id.slice(0, 12),
        image: inspect.Image.replace(/^sha256:/, '').slice(0, 12),
        ...(warnings.length > 0 ? { warnings: warnings.join('; ') } : {}),
      };
      return {
        endpoint,
        limits,
        pid: inspect.State.Pid > 0 ? inspect.State.Pid : undefined,
        usage: async () => {
          const stats = await engine.stats(id).catch(() => undefined);
          const cpu = stats?.cpu_stats?.cpu_usage?.total_usage;
          const peak = stats?.memory_stats?.max_usage ?? stats?.memory_stats?.usage;
          return {
            cpuSeconds: cpu === undefined ? undefined : cpu / 1e9,
            rssMiB: peak === undefined ? undefined : peak / 2 ** 20,
          };
        },
        exitCause,
        died,
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  /**
   * Creates the container. A name taken by a dead controller's container (a crash, then a resume that
   * re-runs the same attempt in a process with the same pid) is freed; any other conflict is a fault.
   */
  private async create(name: string, body: Parameters<DockerEngine['createContainer']>[1]) {
    try {
      return await this.engine.createContainer(name, body);
    } catch (error) {
      if (!(error instanceof DockerApiError) || error.statusCode !== 409) throw createFault(error);
      const existing = await this.engine.inspectContainer(name);
      const owner = existing?.Config.Labels?.[LABEL.controller];
      if (!existing || !controllerIsDead(owner)) {
        throw new TrialFaultError(
          `a container named ${name} already exists (${owner ?? 'not ours'})`,
          'conflict',
        );
      }
      await this.engine.removeContainer(existing.Id);
      return this.engine.createContainer(name, body).catch((again: unknown) => {
        throw createFault(again);
      });
    }
  }
}

function createFault(error: unknown): Error {
  if (error instanceof DockerApiError && error.statusCode === 404) {
    return new TrialFaultError(error.message, 'missing-image', { retryable: false });
  }
  return new TrialFaultError(`cannot create the container: ${(error as Error).message}`, 'docker', {
    cause: error,
  });
}

/** A start the daemon refuses: no GPU driver, a port clash, a bad mount. Retrying the same cannot help. */
function startFault(error: unknown): Error {
  const message = (error as Error).message;
  const gpu = /device driver|nvidia|gpu/i.test(message);
  return new TrialFaultError(`cannot start the container: ${message}`, gpu ? 'no-gpu' : 'docker', {
    cause: error,
    retryable: !gpu,
  });
}

function socketFromEnv(): string | undefined {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

function checkSpace(experiment: ResolvedExperiment, instanceCpus: string | undefined): void {
  const problems: SpecProblem[] = resourceKnobProblems(experiment.space);
  const cpu = cpuBeyondCpuset(experiment, instanceCpus, 'container');
  if (cpu) problems.push(cpu);
  if (problems.length > 0) throw new SpecError(problems);
}
