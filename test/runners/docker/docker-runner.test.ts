import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureInstance } from '../../../src/controller/measure.js';
import { InfeasibleConfigError, TrialFaultError } from '../../../src/errors.js';
import { docker } from '../../../src/runners/docker/docker-runner.js';
import { DockerEngine } from '../../../src/runners/docker/engine-client.js';
import type { Runner } from '../../../src/runners/runner.js';
import { trialRequest } from '../trial-request.js';
import { dockerExperiment } from './experiment.js';

// Real containers: needs a running dockerd (.ci/run starts one) and the image scripts/docker-image.sh
// builds. Without them these tests are skipped, saying why.
const SOCKET = process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') ?? '/var/run/docker.sock';
const IMAGE = 'morphling-server:local';
// .ci/run sets `host` when the daemon could only start without its bridge network (no iptables).
const NETWORK = process.env.MORPHLING_DOCKER_NETWORK || undefined;
const SETTINGS = { network: NETWORK };

async function daemonState(): Promise<string | undefined> {
  if (!existsSync(SOCKET)) return `no Docker daemon socket at ${SOCKET}`;
  const engine = new DockerEngine(SOCKET);
  try {
    await engine.ping();
    if (!(await engine.inspectImage(IMAGE))) return `no ${IMAGE} image (scripts/docker-image.sh builds it)`;
    return undefined;
  } catch (error) {
    return `the Docker daemon at ${SOCKET} does not answer (${(error as Error).message})`;
  } finally {
    await engine.close();
  }
}

const skipReason = await daemonState();
if (skipReason) console.warn(`docker runner tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('docker runner (real dockerd)', () => {
  const experiment = dockerExperiment();
  const engine = new DockerEngine(SOCKET);
  let runner: Runner;

  beforeAll(async () => {
    runner = await docker.create(docker.settings.parse(SETTINGS), experiment);
  });
  afterAll(async () => {
    await runner?.close?.();
    await engine.close();
  });

  const mine = async (trial: number) =>
    engine.listContainers([`morphling.experiment=docker-test`, `morphling.trial=${trial}`]);

  it('starts a container with the configuration, measures it through the published port, and removes it', async () => {
    const config = { cpu: '500m', memory: '256Mi', INSTANCES: 2, 'intra-op-threads': 1 };
    const instance = await runner.start(trialRequest(experiment, config, 11));
    try {
      const [summary] = await mine(11);
      const inspect = await engine.inspectContainer(summary?.Id as string);
      // What the daemon applied, read back from the daemon, not from our request.
      expect(inspect?.HostConfig).toMatchObject({
        NanoCpus: 500_000_000,
        Memory: 256 * 2 ** 20,
        MemorySwap: 256 * 2 ** 20,
      });
      expect(inspect?.Config.Cmd).toEqual(['--intra-op-threads=1']);
      if (NETWORK === 'host') {
        // No publishing on the host network: the server is told a free port and to bind loopback only.
        const port = new URL(instance.endpoint as string).port;
        expect(inspect?.Config.Env).toEqual(expect.arrayContaining([`PORT=${port}`, 'HOST=127.0.0.1']));
      } else {
        const ports = inspect?.NetworkSettings.Ports?.['8080/tcp'] ?? [];
        expect(ports.map((p) => p.HostIp)).toEqual(['127.0.0.1']);
        expect(instance.endpoint).toBe(`http://127.0.0.1:${ports[0]?.HostPort}`);
      }
      expect(instance.limits).toMatchObject({
        runtime: 'docker',
        cpuQuotaCores: 0.5,
        memoryLimitBytes: 256 * 2 ** 20,
      });

      // The env knob reached the server: it runs two model instances.
      const metrics = await (await request(`${instance.endpoint}/metrics`)).body.text();
      expect(metrics).toMatch(/^morphling_instances 2$/m);

      const { measurement } = await measureInstance(instance, experiment, AbortSignal.timeout(50_000));
      expect(measurement.rps).toBeGreaterThan(5);
      expect(measurement.p99Ms).toBeGreaterThan(0);
      const usage = await instance.usage?.();
      expect(usage?.cpuSeconds).toBeGreaterThan(0.1);
      expect(usage?.rssMiB).toBeGreaterThan(20);
      expect(await instance.exitCause?.()).toBeUndefined();
    } finally {
      await instance.stop();
    }
    expect(await mine(11)).toEqual([]);
  });

  it('reports a container OOM-killed at its memory limit as an infeasible configuration', async () => {
    const start = runner.start(
      trialRequest(experiment, { cpu: '1', memory: '32Mi', INSTANCES: 1, 'intra-op-threads': 1 }, 12),
    );
    await expect(start).rejects.toThrow(InfeasibleConfigError);
    await expect(start).rejects.toThrow(/OOM-killed at its memory limit of 32 MiB/);
    expect(await mine(12)).toEqual([]);
  });

  it('reports a crashing server as a fault, with its output', async () => {
    const crashing = dockerExperiment({
      service: {
        command: ['/usr/local/bin/node', '-e', 'console.error("no model here"); process.exit(3)', '--'],
        startTimeoutSeconds: 10,
      },
    });
    const crashRunner = await docker.create(docker.settings.parse(SETTINGS), crashing);
    try {
      const start = crashRunner.start(
        trialRequest(crashing, { cpu: '1', memory: '256Mi', INSTANCES: 1, 'intra-op-threads': 1 }, 13),
      );
      await expect(start).rejects.toThrow(TrialFaultError);
      await expect(start).rejects.toThrow(/exited with code 3; its last output: no model here/);
      expect(await mine(13)).toEqual([]);
    } finally {
      await crashRunner.close?.();
    }
  });

  it('removes the containers of a SIGKILLed controller, and only those', async () => {
    const live = await runner.start(
      trialRequest(experiment, { cpu: '1', memory: '256Mi', INSTANCES: 1, 'intra-op-threads': 1 }, 14),
    );
    try {
      // A controller in another process starts a container, then dies without stopping it.
      const script = `
        const { docker } = await import(${JSON.stringify(new URL('../../../dist/runners/docker/docker-runner.js', import.meta.url).href)});
        const { resolveExperiment } = await import(${JSON.stringify(new URL('../../../dist/spec/resolve.js', import.meta.url).href)});
        const e = resolveExperiment(${JSON.stringify(experiment.document)}, ${JSON.stringify(experiment.baseDir)});
        const runner = await docker.create(docker.settings.parse(${JSON.stringify(SETTINGS)}), e);
        const i = await runner.start({ experiment: e.name, trialId: 15, attempt: 1, config: { cpu: '1', memory: '256Mi', INSTANCES: 1, 'intra-op-threads': 1 }, space: e.space, signal: new AbortController().signal });
        console.log(JSON.stringify(i.limits));
        setInterval(() => {}, 1000);`;
      const controller = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise((resolve) => controller.stdout.once('data', resolve));
      controller.kill('SIGKILL');
      await new Promise((resolve) => controller.once('exit', resolve));
      expect((await mine(15)).map((c) => c.State)).toEqual(['running']);

      await runner.cleanup?.();
      expect(await mine(15)).toEqual([]);
      // This controller's own container is still there, and still serves.
      expect((await mine(14)).map((c) => c.State)).toEqual(['running']);
      expect((await request(`${live.endpoint}/v2/health/ready`)).statusCode).toBe(200);
    } finally {
      await live.stop();
    }
  });
});

describe.skipIf(skipReason !== undefined)('the serving image (real dockerd)', () => {
  it("contains the kubernetes runner's load client, which measures a server container over the network", async () => {
    const experiment = dockerExperiment();
    const runner = await docker.create(docker.settings.parse(SETTINGS), experiment);
    const engine = new DockerEngine(SOCKET);
    const server = await runner.start(
      trialRequest(experiment, { cpu: '1', memory: '256Mi', INSTANCES: 1, 'intra-op-threads': 1 }, 16),
    );
    let client: string | undefined;
    try {
      const [summary] = await engine.listContainers([
        'morphling.experiment=docker-test',
        'morphling.trial=16',
      ]);
      const ip = (await engine.inspectContainer(summary?.Id as string))?.NetworkSettings.Networks?.bridge
        ?.IPAddress;
      const target = NETWORK === 'host' ? (server.endpoint as string) : `http://${ip}:8080`;
      // What the kubernetes runner's Job runs: the same image, the load client as its command.
      const created = await engine.createContainer(`morphling-load-client-${process.pid}`, {
        Image: IMAGE,
        Entrypoint: ['/usr/local/bin/node', 'dist/runners/kubernetes/load-client.js'],
        Env: [
          `MORPHLING_TARGET=${target}`,
          `MORPHLING_LOAD=${JSON.stringify({ load: experiment.load, slo: experiment.objective.slo, model: 'resnet-tiny' })}`,
        ],
        Labels: {},
        HostConfig: NETWORK === 'host' ? { NetworkMode: 'host' } : {},
      });
      client = created.Id;
      await engine.startContainer(client);
      const exit = await engine.wait(client, AbortSignal.timeout(50_000));
      const logs = await engine.logs(client, 20);
      expect(exit.StatusCode, logs).toBe(0);
      const line = JSON.parse(logs.trim().split('\n').at(-1) as string);
      expect(line.event).toBe('measurement');
      expect(line.measurement.rps).toBeGreaterThan(5);
    } finally {
      if (client) await engine.removeContainer(client);
      await server.stop();
      await runner.close?.();
      await engine.close();
    }
  });
});

describe.skipIf(skipReason !== undefined)('docker runner setup errors (real dockerd)', () => {
  it('says how to build a missing image', async () => {
    const experiment = dockerExperiment();
    await expect(
      docker.create(docker.settings.parse({ image: 'morphling-no-such:image' }), experiment),
    ).rejects.toThrow(/no image morphling-no-such:image: build it with scripts\/docker-image.sh/);
  });
});

describe('docker runner without a daemon', () => {
  it('says which socket it could not reach', async () => {
    const experiment = dockerExperiment();
    await expect(
      docker.create(docker.settings.parse({ socketPath: '/nonexistent/docker.sock' }), experiment),
    ).rejects.toThrow(/cannot reach the Docker daemon at \/nonexistent\/docker.sock \(ENOENT\)/);
  });
});
