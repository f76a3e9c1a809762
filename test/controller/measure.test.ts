import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measureInstance } from '../../src/controller/measure.js';
import { TrialFaultError } from '../../src/errors.js';
import { sampleMachine } from '../../src/loadgen/machine-load.js';
import type { Instance } from '../../src/runners/runner.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { startTestServer, type TestServer } from '../loadgen/test-server.js';

const onLinux = (await sampleMachine()) !== undefined;
let server: TestServer;
let spinner: ChildProcess | undefined;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  spinner?.kill('SIGKILL');
  spinner = undefined;
});

function experiment(load: Record<string, unknown>) {
  return resolveExperiment(
    {
      metadata: { name: 'measure-test' },
      spec: {
        algorithm: { algorithmName: 'grid' },
        maxNumTrials: 1,
        tunableParameters: [
          {
            category: 'env',
            parameters: [{ name: 'X', parameterType: 'discrete', feasibleSpace: { list: [1] } }],
          },
        ],
        slo: { percentile: 99, latencyMs: 50 },
        load: { request: { path: '/queue/4?q=measure' }, ...load },
      },
    },
    process.cwd(),
  );
}

function instanceAt(endpoint: string): Instance {
  return { endpoint, limits: {}, stop: async () => {} };
}

describe.skipIf(!onLinux)('measureInstance and the rest of the machine', () => {
  it('records how much CPU other processes used during the load test', async () => {
    spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const { measurement } = await measureInstance(
      instanceAt(server.baseUrl),
      experiment({}),
      new AbortController().signal,
    );
    expect(measurement.rps).toBeGreaterThan(100);
    expect(measurement.otherCpuCores).toBeGreaterThan(0.5);
    expect(measurement.loadAvg1m).toBeGreaterThan(0);
  });

  it('refuses a measurement others disturbed, as a retryable fault', async () => {
    spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const measuring = measureInstance(
      instanceAt(server.baseUrl),
      experiment({ quietMachine: { maxOtherCpuCores: 0.3, waitSeconds: 0 } }),
      new AbortController().signal,
    );
    const error = await measuring.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrialFaultError);
    expect((error as TrialFaultError).errorClass).toBe('noisy-machine');
    expect((error as TrialFaultError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/other processes used \d\.\d\d cores during the load test/);
  });

  it('does not call a configuration infeasible while others took the CPU', async () => {
    spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const slow = experiment({
      request: { path: '/slow/150' },
      quietMachine: { maxOtherCpuCores: 0.3, waitSeconds: 0 },
    });
    const error = await measureInstance(instanceAt(server.baseUrl), slow, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrialFaultError);
    expect((error as TrialFaultError).errorClass).toBe('noisy-machine');
  });

  it('names a bad quietMachine setting', () => {
    expect(() => experiment({ quietMachine: { maxOtherCpuCores: -1 } })).toThrow(
      /spec\.load\.quietMachine\.maxOtherCpuCores/,
    );
  });
});
