import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfeasibleConfigError, SpecError, TrialFaultError } from '../../src/errors.js';
import { detectCgroupV1 } from '../../src/runners/local/cgroup-v1.js';
import { isAlive } from '../../src/runners/local/child-process.js';
import { local } from '../../src/runners/local/local-runner.js';
import type { Runner } from '../../src/runners/runner.js';
import type { Config } from '../../src/space/parameter.js';
import { resolveExperiment } from '../../src/spec/resolve.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/knob-server.mjs', import.meta.url));
const support = await detectCgroupV1();
const dir = mkdtempSync(join(tmpdir(), 'morphling-local-'));

function experiment(overrides: Record<string, unknown> = {}, parameters?: unknown[]) {
  return resolveExperiment(
    {
      metadata: { name: 'local-test' },
      spec: {
        algorithm: { algorithmName: 'grid' },
        maxNumTrials: 1,
        tunableParameters: parameters ?? [
          {
            category: 'resource',
            parameters: [
              { name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: ['250m', '1'] } },
              { name: 'memory', parameterType: 'discrete', feasibleSpace: { list: ['64Mi', '512Mi'] } },
            ],
          },
          {
            category: 'env',
            parameters: [
              { name: 'MAX_BATCH_SIZE', parameterType: 'discrete', feasibleSpace: { list: [1, 8] } },
            ],
          },
          {
            category: 'args',
            parameters: [{ name: 'threads', parameterType: 'int', feasibleSpace: { min: 1, max: 2 } }],
          },
        ],
        runner: { name: 'local', settings: {} },
        service: {
          command: [process.execPath, FIXTURE],
          env: { GREETING: 'hello' },
          startTimeoutSeconds: 10,
        },
        ...overrides,
      },
    },
    dir,
  );
}

async function startWith(runner: Runner, config: Config, trialId = 1) {
  const e = experiment();
  return runner.start({
    experiment: e.name,
    trialId,
    attempt: 1,
    config,
    space: e.space,
    signal: new AbortController().signal,
  });
}

async function get(url: string): Promise<Record<string, unknown>> {
  const response = await request(url);
  return (await response.body.json()) as Record<string, unknown>;
}

describe.skipIf(!support.cpu || !support.memory || !support.cpuacct)(
  'local runner (cgroup v1 available)',
  () => {
    let runner: Runner;
    beforeAll(async () => {
      const e = experiment();
      runner = await local.create(e.runner.settings as never, e);
    });
    afterAll(async () => {
      await runner.close?.();
    });

    it('starts the server with env knobs, args knobs and a clean environment, and records the enforced limits', async () => {
      const instance = await startWith(runner, { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 8, threads: 2 });
      try {
        const info = (await get(`${instance.endpoint}/info`)) as {
          argv: string[];
          env: Record<string, string>;
        };
        expect(info.argv).toEqual(['--threads=2']);
        expect(info.env.MAX_BATCH_SIZE).toBe('8');
        expect(info.env.GREETING).toBe('hello');
        expect(info.env.PORT).toBe(new URL(instance.endpoint as string).port);
        expect(info.env.VITEST).toBeUndefined();
        expect(instance.limits).toMatchObject({
          cpuQuotaCores: 1,
          // The quota is written once the server is ready (limitCpuFromStart: false, the default).
          cpuQuotaFrom: 'ready',
          memoryLimitBytes: 512 * 2 ** 20,
          cgroup: 'v1',
        });
        const quota = join(support.cpu as string, `${process.pid}-t1-a1`, 'cpu.cfs_quota_us');
        expect(readFileSync(quota, 'utf8').trim()).toBe('10000');
      } finally {
        await instance.stop();
      }
    });

    it('holds a busy server to its CPU quota', async () => {
      const quarter = await startWith(runner, {
        cpu: '250m',
        memory: '512Mi',
        MAX_BATCH_SIZE: 1,
        threads: 1,
      });
      const whole = await startWith(runner, { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 1, threads: 1 }, 2);
      try {
        const burn = async (instance: typeof quarter) => {
          const before = (await instance.usage?.())?.cpuSeconds ?? 0;
          const started = performance.now();
          await get(`${instance.endpoint}/burn?ms=1200`);
          const wall = (performance.now() - started) / 1000;
          const after = (await instance.usage?.())?.cpuSeconds ?? 0;
          return (after - before) / wall;
        };
        const quarterShare = await burn(quarter);
        const wholeShare = await burn(whole);
        expect(quarterShare).toBeGreaterThan(0.1);
        expect(quarterShare).toBeLessThan(0.4);
        expect(wholeShare).toBeGreaterThan(0.6);
      } finally {
        await quarter.stop();
        await whole.stop();
      }
    });

    it('reports an OOM kill at the memory limit as infeasible', async () => {
      const instance = await startWith(runner, { cpu: '1', memory: '64Mi', MAX_BATCH_SIZE: 1, threads: 1 });
      try {
        await request(`${instance.endpoint}/alloc?mb=200`).catch(() => undefined);
        await expect
          .poll(async () => (await instance.exitCause?.())?.constructor, { timeout: 5000 })
          .toBe(InfeasibleConfigError);
        expect((await instance.exitCause?.())?.message).toMatch(/OOM-killed at its memory limit of 64 MiB/);
      } finally {
        await instance.stop();
      }
    });

    it('reports a crash as a fault with the exit code', async () => {
      const instance = await startWith(runner, { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 1, threads: 1 });
      await request(`${instance.endpoint}/crash`).catch(() => undefined);
      await expect
        .poll(async () => (await instance.exitCause?.())?.message, { timeout: 5000 })
        .toMatch(/exited with code 3/);
      expect(await instance.exitCause?.()).toBeInstanceOf(TrialFaultError);
      await instance.stop();
    });

    it('kills the process and removes its cgroups on stop', async () => {
      const instance = await startWith(
        runner,
        { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 1, threads: 1 },
        7,
      );
      const pid = instance.limits.pid as number;
      const groups = Object.values(support).map((parent) => join(parent, `${process.pid}-t7-a1`));
      expect(groups.some(existsSync)).toBe(true);
      await instance.stop();
      expect(isAlive(pid)).toBe(false);
      expect(groups.filter(existsSync)).toEqual([]);
    });

    it('fails clearly for a missing binary and a server that never gets ready', async () => {
      const missing = experiment({ service: { command: ['/no/such/server'] } });
      const r1 = await local.create(missing.runner.settings as never, missing);
      const config = { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 1, threads: 1 };
      const request1 = {
        experiment: 'x',
        trialId: 1,
        attempt: 1,
        config,
        space: missing.space,
        signal: new AbortController().signal,
      };
      await expect(r1.start(request1)).rejects.toThrow(/cannot start \/no\/such\/server: ENOENT/);
      await r1.close?.();

      const silent = experiment({
        service: {
          command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)', '--'],
          startTimeoutSeconds: 1,
        },
      });
      const r2 = await local.create(silent.runner.settings as never, silent);
      const started = performance.now();
      await expect(r2.start({ ...request1, space: silent.space })).rejects.toThrow(/not ready within 1 s/);
      expect(performance.now() - started).toBeLessThan(6000);
      await r2.close?.();
    });

    it('removes the servers and cgroups a SIGKILLed controller left behind', async () => {
      // A controller in another process starts an instance, then dies without cleaning up.
      const script = `
      const { local } = await import(${JSON.stringify(new URL('../../dist/runners/local/local-runner.js', import.meta.url).href)});
      const { resolveExperiment } = await import(${JSON.stringify(new URL('../../dist/spec/resolve.js', import.meta.url).href)});
      const e = resolveExperiment(${JSON.stringify(experiment().document)}, ${JSON.stringify(dir)});
      const runner = await local.create(e.runner.settings, e);
      const i = await runner.start({ experiment: 'x', trialId: 9, attempt: 1, config: { cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 1, threads: 1 }, space: e.space, signal: new AbortController().signal });
      console.log(JSON.stringify(i.limits));
      setInterval(() => {}, 1000);`;
      const controller = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const limits = await new Promise<{ pid: number }>((resolve) =>
        controller.stdout.once('data', (d) => resolve(JSON.parse(String(d)))),
      );
      const orphanGroup = join(support.cpu as string, `${controller.pid}-t9-a1`);
      expect(existsSync(orphanGroup)).toBe(true);
      controller.kill('SIGKILL');
      await new Promise((resolve) => controller.once('exit', resolve));
      expect(isAlive(limits.pid)).toBe(true);

      await runner.cleanup?.();
      await expect.poll(() => isAlive(limits.pid), { timeout: 3000 }).toBe(false);
      expect(existsSync(orphanGroup)).toBe(false);
      if (support.cpuset) expect(existsSync(join(support.cpuset, `${controller.pid}-client`))).toBe(false);
    });

    it('leaves no groups of its own behind once closed', async () => {
      await runner.close?.();
      const mine = Object.values(support).flatMap((parent) =>
        readdirSync(parent).filter((name) => name.startsWith(`${process.pid}-`)),
      );
      expect(mine).toEqual([]);
    });
  },
);

describe('local runner spec checks', () => {
  it('refuses resource knobs it cannot enforce', async () => {
    const e = experiment({}, [
      {
        category: 'resource',
        parameters: [{ name: 'gpu', parameterType: 'discrete', feasibleSpace: { list: [1] } }],
      },
    ]);
    await expect(local.create(e.runner.settings as never, e)).rejects.toThrow(SpecError);
    await expect(local.create(e.runner.settings as never, e)).rejects.toThrow(
      /enforces only the resource knobs cpu, cpuset, memory/,
    );
  });

  it('keeps a CPU for the load client', async () => {
    const e = experiment({}, [
      {
        category: 'resource',
        parameters: [{ name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: [1, 2] } }],
      },
    ]);
    const attempt = local.create(e.runner.settings as never, e);
    if (support.cpuset)
      await expect(attempt).rejects.toThrow(/goes up to 2 cores but the instance may use only CPUs 1/);
    else await (await attempt).close?.();
  });
});
