import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { sleep } from './sleep.js';

/**
 * How busy the whole machine was while a load test ran, and how much of that was someone else: the
 * serving instance and this process (the load client) are expected to be busy; anything beyond them
 * (a build, a test suite, another tenant) competes for the same cores and bends the measurement.
 * Linux only: elsewhere every reading is undefined and nothing is checked.
 */
export interface MachineSample {
  /** Busy CPU seconds of all cores since boot (user, nice, system, irq, softirq). */
  busySeconds: number;
  /** CPU seconds the hypervisor gave to other guests (steal). */
  stealSeconds: number;
  /** CPU seconds this process has used. */
  ownSeconds: number;
  atMs: number;
}

export interface MachineLoad {
  /** Cores' worth of CPU used by processes other than this one and the instance, on average. */
  otherCpuCores: number;
  /** Cores' worth of CPU the hypervisor took (steal), on average. */
  stealCpuCores: number;
  /** The 1-minute load average at the end. */
  loadAvg1m: number;
}

// /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space whatever the kernel's HZ.
const TICKS_PER_SECOND = 100;

export async function sampleMachine(): Promise<MachineSample | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const usage = process.cpuUsage();
  return {
    busySeconds: (user + nice + system + irq + softirq) / TICKS_PER_SECOND,
    stealSeconds: steal / TICKS_PER_SECOND,
    ownSeconds: (usage.user + usage.system) / 1e6,
    atMs: performance.now(),
  };
}

/** The load between two samples; `attributedSeconds` is CPU known to be ours besides this process (the instance). */
export function machineLoadBetween(
  from: MachineSample,
  to: MachineSample,
  attributedSeconds = 0,
): MachineLoad {
  const seconds = Math.max(1e-3, (to.atMs - from.atMs) / 1000);
  const busy = to.busySeconds - from.busySeconds;
  const ours = to.ownSeconds - from.ownSeconds + attributedSeconds;
  return {
    otherCpuCores: Math.max(0, busy - ours) / seconds,
    stealCpuCores: (to.stealSeconds - from.stealSeconds) / seconds,
    loadAvg1m: loadavg()[0] ?? 0,
  };
}

/**
 * Waits until, over one second, other processes used at most `maxOtherCpuCores`, or until `waitMs`
 * passed. Says whether the machine got quiet.
 */
export async function waitForQuiet(
  maxOtherCpuCores: number,
  waitMs: number,
  attributed: () => Promise<number>,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const from = await sampleMachine();
    const fromAttributed = await attributed();
    if (!from) return true;
    await sleep(1000, signal);
    const to = await sampleMachine();
    if (!to) return true;
    const load = machineLoadBetween(from, to, (await attributed()) - fromAttributed);
    if (load.otherCpuCores + load.stealCpuCores <= maxOtherCpuCores) return true;
    if (performance.now() >= deadline) return false;
  }
}
