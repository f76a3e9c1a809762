import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Container, ContainerStatus, Pod } from '../../../src/runners/kubernetes/kube-types.js';
import { parseQuantity } from '../../../src/space/quantity.js';

/** What the stand-in knows of an image: how `docker run` would start it. */
export interface FakeImage {
  entrypoint: string[];
  cmd?: string[];
  env: Record<string, string>;
  /** The image's WORKDIR, as a directory on this machine. */
  workdir: string;
}

export interface KubeletOptions {
  images: Record<string, FakeImage>;
  /** Readiness probe period; a real kubelet uses the probe's periodSeconds (default 10 s). */
  probePeriodMs: number;
  /** First CrashLoopBackOff delay, doubling per restart (a real kubelet: 10 s, up to 5 min). */
  backoffBaseMs: number;
  /** How often a container's resident memory is compared with its memory limit. */
  memoryCheckMs: number;
}

interface Terminated {
  exitCode: number;
  reason: 'OOMKilled' | 'Error' | 'Completed';
  signal?: number;
  startedAt: string;
  finishedAt: string;
}

/** One container of one pod: its current process, its last termination, its output. */
class ContainerRuntime {
  process: ChildProcess | undefined;
  output = '';
  previousOutput: string | undefined;
  startedAt = '';
  restartCount = 0;
  terminated: Terminated | undefined;
  lastTerminated: Terminated | undefined;
  waiting: { reason: string; message: string } | undefined = { reason: 'ContainerCreating', message: '' };
  backoffUntil = 0;
  ready = false;
  oomKilled = false;
  firstPullFailure = 0;
  private timers: NodeJS.Timeout[] = [];

  addTimer(timer: NodeJS.Timeout): void {
    timer.unref();
    this.timers.push(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}

/**
 * The stand-in's kubelet: runs each container of a bound pod as a real process on this machine (the
 * image table says which program an image is), so a Service really serves. It enforces memory limits
 * the way the kernel's memory cgroup would — a container whose resident memory exceeds its limit is
 * SIGKILLed and reported `OOMKilled` — but not CPU limits (no cgroups here; the runner's requests and
 * limits are checked in the objects it sent). Restarts follow the pod's restartPolicy with
 * CrashLoopBackOff, readiness follows the container's httpGet readinessProbe, images it does not know
 * fail with ErrImagePull / ImagePullBackOff, and env from Secrets or ConfigMaps (which the stand-in
 * has none of) fails with CreateContainerConfigError. Time is compressed (probe period, back-off).
 */
export class FakeKubelet {
  private readonly pods = new Map<string, Map<string, ContainerRuntime>>();

  constructor(private readonly options: KubeletOptions) {}

  /** Advances the pod's containers and writes its status; `podIp` is its address. */
  sync(pod: Pod, podIp: string): void {
    const uid = pod.metadata.uid as string;
    let containers = this.pods.get(uid);
    if (!containers) {
      containers = new Map(pod.spec.containers.map((c) => [c.name, new ContainerRuntime()]));
      this.pods.set(uid, containers);
    }
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';
    for (const container of pod.spec.containers) {
      const runtime = containers.get(container.name) as ContainerRuntime;
      if (runtime.process || (runtime.terminated && restartPolicy === 'Never')) continue;
      if (runtime.terminated?.exitCode === 0 && restartPolicy === 'OnFailure') continue;
      if (Date.now() < runtime.backoffUntil) continue;
      this.start(pod, container, runtime, podIp);
    }
    pod.status = this.podStatus(pod, containers, podIp);
  }

  /** SIGTERM to every container of the pod, SIGKILL after `graceMs`; resolves once all exited. */
  async terminate(uid: string, graceMs: number): Promise<void> {
    const containers = this.pods.get(uid);
    if (!containers) return;
    await Promise.all(
      [...containers.values()].map(async (runtime) => {
        runtime.backoffUntil = Number.POSITIVE_INFINITY;
        const child = runtime.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        kill(child, 'SIGTERM');
        const timer = setTimeout(() => kill(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const runtime of containers.values()) runtime.clearTimers();
    this.pods.delete(uid);
  }

  /** A container's output, as `kubectl logs [--previous]` shows it; an Error says why there is none. */
  logs(uid: string, container: string, previous: boolean): string | Error {
    const runtime = this.pods.get(uid)?.get(container);
    if (!runtime) return new Error(`container "${container}" not found`);
    if (previous)
      return runtime.previousOutput ?? new Error(`previous terminated container "${container}" not found`);
    if (!runtime.process && !runtime.terminated) {
      return new Error(
        `container "${container}" is waiting to start: ${runtime.waiting?.reason ?? 'ContainerCreating'}`,
      );
    }
    return runtime.output;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pods.keys()].map((uid) => this.terminate(uid, 500)));
  }

  private start(pod: Pod, container: Container, runtime: ContainerRuntime, podIp: string): void {
    const image = container.image ? this.options.images[container.image] : undefined;
    if (!image) {
      runtime.firstPullFailure ||= Date.now();
      const backingOff = Date.now() - runtime.firstPullFailure > 1000;
      runtime.waiting = backingOff
        ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` }
        : {
            reason: 'ErrImagePull',
            message: `failed to pull image "${container.image}": pull access denied, repository does not exist or may require authorization`,
          };
      return;
    }
    const env: Record<string, string> = { ...image.env };
    for (const variable of container.env ?? []) {
      if (variable.valueFrom) {
        runtime.waiting = {
          reason: 'CreateContainerConfigError',
          message: `couldn't find the source of env ${variable.name} (the stand-in has no Secrets or ConfigMaps)`,
        };
        return;
      }
      env[variable.name] = variable.value ?? '';
    }
    // One network namespace for all pods here: a server binding every interface would clash, so it is
    // told to bind its pod IP, which is what every interface of a real pod amounts to.
    if (env.HOST === '0.0.0.0' || env.HOST === undefined) env.HOST = podIp;
    const argv = [
      ...(container.command ?? image.entrypoint),
      ...(container.args ?? (container.command ? [] : (image.cmd ?? []))),
    ];
    const program =
      argv[0] === '/usr/local/bin/node' || argv[0] === 'node' ? process.execPath : (argv[0] as string);
    const child = spawn(program, argv.slice(1), {
      cwd: image.workdir,
      env: { PATH: process.env.PATH, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runtime.process = child;
    runtime.output = '';
    runtime.waiting = undefined;
    runtime.terminated = undefined;
    runtime.oomKilled = false;
    runtime.ready = false;
    runtime.startedAt = new Date().toISOString();
    const keep = (chunk: Buffer) => {
      runtime.output = (runtime.output + chunk.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (error) => keep(Buffer.from(`${error.message}\n`)));
    child.once('exit', (code, signal) => this.exited(pod, runtime, code, signal));

    const limit = parseQuantity(container.resources?.limits?.memory ?? '');
    if (limit !== undefined && child.pid !== undefined) {
      const pid = child.pid;
      runtime.addTimer(
        setInterval(() => {
          if (residentBytes(pid) > limit) {
            runtime.oomKilled = true;
            kill(child, 'SIGKILL');
          }
        }, this.options.memoryCheckMs),
      );
    }
    const probe = container.readinessProbe?.httpGet;
    if (probe) {
      const port =
        typeof probe.port === 'number'
          ? probe.port
          : container.ports?.find((p) => p.name === probe.port)?.containerPort;
      const url = `http://${podIp}:${port}${probe.path}`;
      runtime.addTimer(
        setInterval(() => {
          request(url, { signal: AbortSignal.timeout(1000) }).then(
            async (response) => {
              await response.body.dump();
              runtime.ready =
                runtime.process === child && response.statusCode >= 200 && response.statusCode < 400;
            },
            () => {
              runtime.ready = false;
            },
          );
        }, this.options.probePeriodMs),
      );
    } else runtime.ready = true;
  }

  private exited(
    pod: Pod,
    runtime: ContainerRuntime,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    runtime.clearTimers();
    runtime.process = undefined;
    runtime.ready = false;
    const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1);
    const terminated: Terminated = {
      exitCode,
      reason: runtime.oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
      ...(signal ? { signal: exitCode - 128 } : {}),
      startedAt: runtime.startedAt,
      finishedAt: new Date().toISOString(),
    };
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)) {
      runtime.restartCount++;
      runtime.lastTerminated = terminated;
      runtime.previousOutput = runtime.output;
      runtime.backoffUntil =
        Date.now() + Math.min(this.options.backoffBaseMs * 2 ** (runtime.restartCount - 1), 5000);
      runtime.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off restarting failed container in pod ${pod.metadata.name}`,
      };
    } else {
      runtime.terminated = terminated;
    }
  }

  private podStatus(pod: Pod, containers: Map<string, ContainerRuntime>, podIp: string): Pod['status'] {
    const statuses: ContainerStatus[] = pod.spec.containers.map((container) => {
      const runtime = containers.get(container.name) as ContainerRuntime;
      const state: ContainerStatus['state'] = runtime.process
        ? { running: { startedAt: runtime.startedAt } }
        : runtime.terminated
          ? { terminated: runtime.terminated }
          : { waiting: runtime.waiting ?? { reason: 'ContainerCreating' } };
      return {
        name: container.name,
        image: container.image,
        ready: runtime.ready && runtime.process !== undefined,
        restartCount: runtime.restartCount,
        state,
        ...(runtime.lastTerminated ? { lastState: { terminated: runtime.lastTerminated } } : {}),
      };
    });
    const all = (test: (s: ContainerStatus) => boolean) => statuses.every(test);
    const phase = all((s) => s.state?.terminated !== undefined)
      ? all((s) => s.state?.terminated?.exitCode === 0)
        ? 'Succeeded'
        : 'Failed'
      : statuses.some((s) => s.state?.running)
        ? 'Running'
        : 'Pending';
    const ready = all((s) => s.ready);
    const now = new Date().toISOString();
    const condition = (type: string, value: boolean) => ({
      type,
      status: value ? ('True' as const) : ('False' as const),
      lastTransitionTime: now,
    });
    return {
      ...pod.status,
      phase,
      podIP: podIp,
      conditions: [
        ...(pod.status?.conditions?.filter((c) => c.type === 'PodScheduled') ?? []),
        condition('Initialized', true),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      containerStatuses: statuses,
    };
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Gone already.
  }
}

/** VmRSS of a process, in bytes (0 once it is gone). */
function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
