import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InfeasibleConfigError, SpecError, type SpecProblem, TrialFaultError } from '../../errors.js';
import { parseQuantity } from '../../space/quantity.js';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import { defineRunner } from '../definition.js';
import { waitForHttp } from '../http-readiness.js';
import { knobArgs, knobEnv, withPort } from '../knobs.js';
import type { Instance, Runner, TrialRequest } from '../runner.js';
import {
  type CgroupSupport,
  CgroupV1Group,
  type Controller,
  detectCgroupV1,
  type GroupLimits,
  removeGroupDir,
} from './cgroup-v1.js';
import { ServerProcess } from './child-process.js';
import { cpusetSize, defaultCpuSplit } from './cpuset.js';
import { freePort } from './free-port.js';
import { registerInstance, removeLeftovers, unregisterInstance } from './leftovers.js';

/** Resource knobs this runner enforces, and the cgroup controller each needs. */
const RESOURCE_KNOBS: Record<string, Controller> = { cpu: 'cpu', cpuset: 'cpuset', memory: 'memory' };

const Settings = z.strictObject({
  /** Refuse to run when a resource knob cannot be enforced on this machine (default), instead of ignoring it. */
  requireLimits: z.boolean().default(true),
  /** Pin this process (the load client) and the instance to separate CPUs, so the client is never starved. */
  isolateClient: z.boolean().default(true),
  /** CPUs of the load client; default CPU 0 on a machine with 2 or more. */
  clientCpus: z.string().optional(),
  /** CPUs of the instance when the space has no `cpuset` knob; default all but CPU 0. */
  instanceCpus: z.string().optional(),
  /**
   * CFS period of the CPU quota, in microseconds. 10 ms spreads a small quota into short pauses (250m =
   * 2.5 ms every 10 ms), which made repeated peak-RPS measurements of CPU-limited configurations 2-4x
   * more repeatable than Kubernetes' default of 100 ms (25 ms every 100 ms; docs/benchmarks.md). Set
   * 100000 to reproduce what a default kubelet does to tail latency.
   */
  cpuPeriodMicros: z.number().int().min(1000).max(1_000_000).default(10_000),
  /**
   * Apply the CPU quota from the server's first instruction instead of once it is ready. Off by
   * default: a start at 250m takes 4-8 s instead of ~1.4 s (Node start, model load, warm-up all
   * throttled), and no objective depends on it — trials measure the ready server. The instance is on
   * its own CPUs (cpuset) and under its memory limit from the start either way.
   */
  limitCpuFromStart: z.boolean().default(false),
  /** How long a server gets to exit after SIGTERM before SIGKILL. */
  terminateGraceMs: z.number().int().min(0).default(3000),
});
type LocalSettings = z.infer<typeof Settings>;

/**
 * Runs each trial's serving instance as a child process on this machine: no shell, argv from the spec,
 * `env` knobs as environment variables, `args` knobs as `--name=value` arguments, and `resource` knobs
 * (`cpu`, `cpuset`, `memory`) enforced through cgroup v1. Each trial records which limits were really
 * enforced.
 */
export const local = defineRunner({
  name: 'local',
  description: 'child process on this machine with cgroup CPU and memory limits',
  settings: Settings,
  async create(settings, experiment) {
    const support = await detectCgroupV1();
    const split = defaultCpuSplit(availableParallelism());
    const clientCpus = settings.isolateClient ? (settings.clientCpus ?? split.client) : undefined;
    const instanceCpus = settings.instanceCpus ?? (settings.isolateClient ? split.instance : undefined);
    checkEnforceable(experiment, settings, support, instanceCpus);
    const client = clientCpus && support.cpuset ? await pinClient(support, clientCpus) : undefined;
    return new LocalRunner(experiment, settings, support, instanceCpus, client);
  },
});

class LocalRunner implements Runner {
  readonly name = 'local';

  constructor(
    private readonly experiment: ResolvedExperiment,
    private readonly settings: LocalSettings,
    private readonly support: CgroupSupport,
    private readonly instanceCpus: string | undefined,
    private readonly client: { release(): Promise<void> } | undefined,
  ) {}

  async cleanup(): Promise<void> {
    await removeLeftovers(this.support);
  }

  async close(): Promise<void> {
    await this.client?.release();
  }

  async start(request: TrialRequest): Promise<Instance> {
    const { limits, enforced, notEnforced } = this.limitsFor(request);
    const { cpuQuotaCores, ...startLimits } = limits;
    const quotaAfterReady = cpuQuotaCores !== undefined && !this.settings.limitCpuFromStart;
    const group = await CgroupV1Group.create(
      this.support,
      `${process.pid}-t${request.trialId}-a${request.attempt}`,
      quotaAfterReady ? startLimits : limits,
    );
    const port = await freePort();
    const server = ServerProcess.spawn(
      this.argv(request, port),
      this.env(request, port),
      this.experiment.baseDir,
    );
    let registration: string | undefined;
    const stop = async () => {
      await server.terminate(this.settings.terminateGraceMs);
      await group.remove();
      if (registration) await unregisterInstance(registration);
    };
    try {
      if (server.pid === undefined) await server.exited;
      if (server.startError) {
        const code = (server.startError as NodeJS.ErrnoException).code;
        throw new TrialFaultError(
          `cannot start ${this.argv(request, port)[0]}: ${code ?? server.startError.message}`,
          'missing-binary',
          {
            retryable: false,
          },
        );
      }
      await group.addProcess(server.pid as number);
      registration = await registerInstance({
        controllerPid: process.pid,
        pgid: server.pid as number,
        group: group.name,
      });
      const service = this.experiment.service;
      const url = `http://127.0.0.1:${port}${service?.readinessPath ?? '/v2/health/ready'}`;
      const readiness = await waitForHttp(url, {
        deadlineMs: (service?.startTimeoutSeconds ?? 60) * 1000,
        signal: request.signal,
        gone: () => server.exit !== undefined,
      });
      if (!readiness.ready) {
        const death = await exitCause(server, group, limits);
        throw (
          death ??
          new TrialFaultError(
            `the server was not ready within ${service?.startTimeoutSeconds ?? 60} s${tail(server)}`,
            'not-ready',
          )
        );
      }
      if (quotaAfterReady) await group.setCpuQuota(cpuQuotaCores, limits.cpuPeriodMicros);
      const recorded = {
        ...enforced,
        ...(cpuQuotaCores !== undefined ? { cpuQuotaFrom: quotaAfterReady ? 'ready' : 'start' } : {}),
        ...(notEnforced.length ? { notEnforced: notEnforced.join(',') } : {}),
        pid: server.pid as number,
      };
      return {
        endpoint: `http://127.0.0.1:${port}`,
        limits: recorded,
        pid: server.pid,
        usage: async () => {
          const peak = await group.peakMemoryBytes();
          return {
            cpuSeconds: await group.cpuSeconds(),
            rssMiB: peak === undefined ? undefined : peak / 2 ** 20,
          };
        },
        exitCause: () => exitCause(server, group, limits),
        died: server.exited.then(() => {}),
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  private limitsFor(request: TrialRequest) {
    const limits: GroupLimits = {};
    const enforced: Record<string, string | number | boolean> = {};
    const notEnforced: string[] = [];
    for (const parameter of request.space.parameters.filter((p) => p.category === 'resource')) {
      const value = request.config[parameter.name];
      const controller = RESOURCE_KNOBS[parameter.name];
      if (value === undefined || !controller) continue;
      if (!this.support[controller]) {
        notEnforced.push(parameter.name);
        continue;
      }
      if (parameter.name === 'cpu') {
        limits.cpuQuotaCores = enforced.cpuQuotaCores = parseQuantity(value) as number;
        limits.cpuPeriodMicros = enforced.cpuPeriodMicros = this.settings.cpuPeriodMicros;
      }
      if (parameter.name === 'memory')
        limits.memoryBytes = enforced.memoryLimitBytes = parseQuantity(value) as number;
      if (parameter.name === 'cpuset') limits.cpuset = enforced.cpuset = String(value);
    }
    if (limits.cpuset === undefined && this.instanceCpus && this.support.cpuset)
      limits.cpuset = enforced.cpuset = this.instanceCpus;
    if (Object.keys(enforced).length > 0) enforced.cgroup = 'v1';
    return { limits, enforced, notEnforced };
  }

  private argv(request: TrialRequest, port: number): string[] {
    const service = this.experiment.service;
    const command = service?.command ?? [process.execPath, bundledServerEntry()];
    return withPort([...command, ...(service?.args ?? []), ...knobArgs(request.space, request.config)], port);
  }

  private env(request: TrialRequest, port: number): NodeJS.ProcessEnv {
    const service = this.experiment.service;
    const env: NodeJS.ProcessEnv = {};
    // A clean environment: the server sees what the spec says, not the controller's own variables.
    for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'])
      if (process.env[name] !== undefined) env[name] = process.env[name];
    if (service?.model) {
      const model = service.model;
      env.MODEL_NAME =
        model.endsWith('.onnx') && !isAbsolute(model) ? resolve(this.experiment.baseDir, model) : model;
    }
    Object.assign(env, service?.env ?? {});
    Object.assign(env, knobEnv(request.space, request.config));
    env.PORT = String(port);
    return env;
  }
}

/** Classifies a dead server: killed by the kernel at its memory limit → infeasible; otherwise a crash. */
async function exitCause(
  server: ServerProcess,
  group: CgroupV1Group,
  limits: GroupLimits,
): Promise<Error | undefined> {
  const exit = server.exit;
  if (!exit) return undefined;
  if ((await group.oomKills()) > 0 || (exit.signal === 'SIGKILL' && limits.memoryBytes !== undefined)) {
    return new InfeasibleConfigError(
      `the server was OOM-killed at its memory limit of ${formatBytes(limits.memoryBytes)}`,
    );
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new TrialFaultError(`the server ${how}${tail(server)}`, 'crash');
}

function tail(server: ServerProcess): string {
  const output = server.outputTail;
  return output ? `; its last output: ${output.split('\n').slice(-5).join(' | ').slice(-600)}` : '';
}

function formatBytes(bytes: number | undefined): string {
  return bytes === undefined ? 'unknown' : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** The compiled bundled model server (src/serving/main.ts → dist/serving/main.js). */
export function bundledServerEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = resolve(here, '../../serving/main.js');
  if (existsSync(compiled)) return compiled;
  // Running from the TypeScript sources (tests): use the build next to them.
  return join(here.replace(/[/\\]src[/\\]runners[/\\]local$/, ''), 'dist', 'serving', 'main.js');
}

function checkEnforceable(
  experiment: ResolvedExperiment,
  settings: LocalSettings,
  support: CgroupSupport,
  instanceCpus: string | undefined,
): void {
  const problems: SpecProblem[] = [];
  experiment.parameters.forEach((parameter) => {
    if (parameter.category !== 'resource') return;
    const path = `spec.tunableParameters (resource "${parameter.name}")`;
    const controller = RESOURCE_KNOBS[parameter.name];
    if (!controller) {
      problems.push({
        path,
        message: `the local runner enforces only the resource knobs ${Object.keys(RESOURCE_KNOBS).join(', ')}`,
      });
    } else if (!support[controller] && settings.requireLimits) {
      problems.push({
        path,
        message: `needs the cgroup v1 "${controller}" controller, which this machine does not let us use; set spec.runner.settings.requireLimits: false to run without this limit`,
      });
    }
  });
  const cpu = experiment.space.parameter('cpu');
  if (cpu?.magnitudes && instanceCpus && !experiment.space.parameter('cpuset')) {
    const most = Math.max(...cpu.magnitudes);
    if (most > cpusetSize(instanceCpus)) {
      problems.push({
        path: 'spec.tunableParameters (resource "cpu")',
        message: `goes up to ${most} cores but the instance may use only CPUs ${instanceCpus} (${cpusetSize(instanceCpus)}); the rest are kept for the load client (spec.runner.settings.instanceCpus, isolateClient)`,
      });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

/** Moves this process (the load client) into its own cpuset; `release` moves it back. */
async function pinClient(support: CgroupSupport, cpus: string): Promise<{ release(): Promise<void> }> {
  const parent = support.cpuset as string;
  const group = await CgroupV1Group.create({ cpuset: parent }, `${process.pid}-client`, { cpuset: cpus });
  await group.addProcess(process.pid);
  return {
    async release() {
      await writeFile(join(dirname(parent), 'cgroup.procs'), String(process.pid)).catch(() => {});
      await removeGroupDir(join(parent, `${process.pid}-client`)).catch(() => {});
    },
  };
}
