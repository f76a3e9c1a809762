import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type MachineSample,
  machineLoadBetween,
  sampleMachine,
  waitForQuiet,
} from '../../src/loadgen/machine-load.js';
import { sleep } from '../../src/loadgen/sleep.js';

const onLinux = (await sampleMachine()) !== undefined;
let spinner: ChildProcess | undefined;
afterEach(() => {
  spinner?.kill('SIGKILL');
  spinner = undefined;
});

/** Another process that keeps one core busy: the neighbour a measurement must notice. */
function startSpinner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

describe('machineLoadBetween', () => {
  const sample = (busySeconds: number, stealSeconds: number, ourSeconds: number, atMs: number) =>
    ({ busySeconds, stealSeconds, ourSeconds, atMs }) satisfies MachineSample;

  it('subtracts our processes from the machine total', () => {
    const load = machineLoadBetween(sample(100, 5, 10, 0), sample(104, 5.5, 12.4, 2000));
    // 4 busy seconds over 2 s, of which 2.4 are ours (client and instance): 1.6 s by others.
    expect(load.otherCpuCores).toBeCloseTo(0.8, 10);
    expect(load.stealCpuCores).toBeCloseTo(0.25, 10);
    expect(load.loadAvg1m).toBeGreaterThanOrEqual(0);
  });

  it('never reports negative use when counters disagree by a tick', () => {
    expect(machineLoadBetween(sample(100, 0, 10, 0), sample(100.5, 0, 10.6, 1000)).otherCpuCores).toBe(0);
  });
});

describe.skipIf(!onLinux)('on this machine', () => {
  it('sees another process keep a core busy, and not this process', async () => {
    spinner = startSpinner();
    await sleep(200);
    const from = (await sampleMachine()) as MachineSample;
    const burnUntil = performance.now() + 300;
    while (performance.now() < burnUntil) {
      // This process is busy too, which must not count as someone else.
    }
    await sleep(700);
    const load = machineLoadBetween(from, (await sampleMachine()) as MachineSample);
    expect(load.otherCpuCores).toBeGreaterThan(0.5);
    spinner.kill('SIGKILL');
  });

  it("counts the instance's process as ours, not as a neighbour", async () => {
    spinner = startSpinner();
    await sleep(200);
    const pid = spinner.pid as number;
    // Both views of the same interval, read back to back: whatever else runs shows equally in both.
    const [fromAll, fromOurs] = [await sampleMachine([]), await sampleMachine([pid])];
    await sleep(1500);
    const [toAll, toOurs] = [await sampleMachine([]), await sampleMachine([pid])];
    const spinnerSeconds = (toOurs as MachineSample).ourSeconds - (fromOurs as MachineSample).ourSeconds;
    const asNeighbour = machineLoadBetween(fromAll as MachineSample, toAll as MachineSample);
    const asOurs = machineLoadBetween(fromOurs as MachineSample, toOurs as MachineSample);
    expect(spinnerSeconds).toBeGreaterThan(0.5);
    expect(asNeighbour.otherCpuCores - asOurs.otherCpuCores).toBeGreaterThan(0.3);
  });

  it('gives up waiting for a quiet machine at the deadline', async () => {
    spinner = startSpinner();
    const started = performance.now();
    expect(await waitForQuiet(0.3, 0, [])).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('does not wait when the threshold is above what the machine can use', async () => {
    expect(await waitForQuiet(1000, 60_000, [])).toBe(true);
  });
});
