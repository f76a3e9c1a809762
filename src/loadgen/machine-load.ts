import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { sleep } from './sleep.js';

/**
 * How busy the whole machine was while a load test ran, and how much of that was someone else: the
 * serving instance and this process (the load client) are expected to be busy; anything beyond them
 * (a build, a test suite, another tenant) competes for the same cores and bends the measurement.
 *
 * Every number comes from the kernel's tick-sampled accounting (/proc/stat and /proc/PID/stat), never
 * mixed with exact counters (cgroup cpuacct, process.cpuUsage): a throttled instance runs in short bursts
 * that tick sampling over-counts by ~0.1 core here, so mixing the two shows phantom neighbours.
 * Linux only: elsewhere every reading is undefined and nothing is checked.
 */
export interface MachineSample {
  /** CPU seconds all cores spent running tasks since boot (user, nice, system). */
  busySeconds: number;
  /** CPU seconds the hypervisor gave to other guests (steal). */
  stealSeconds: number;
  /** CPU seconds of this process and of the given processes (the instance). */
  ourSeconds: number;
  atMs: number;
}

export interface MachineLoad {
  /** Cores' worth of CPU used by processes other than ours, on average. */
  otherCpuCores: number;
  /** Cores' worth of CPU the hypervisor took (steal), on average. */
  stealCpuCores: number;
  /** The 1-minute load average at the end. */
  loadAvg1m: number;
}

// /proc counts in USER_HZ, which Linux fixes at 100 for user space whatever the kernel's HZ.
const TICKS_PER_SECOND = 100;

/**
 * A reading of the machine and of our processes: this one plus `pids` (the instance's). Interrupt time
 * is left out: the kernel accounts it to no task, and most of it is our own loopback traffic.
 */
export async function sampleMachine(pids: readonly number[] = []): Promise<MachineSample | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = fields;
  let ourTicks = await processTicks('self');
  for (const pid of pids) ourTicks += await processTicks(String(pid));
  return {
    busySeconds: (user + nice + system) / TICKS_PER_SECOND,
    stealSeconds: steal / TICKS_PER_SECOND,
    ourSeconds: ourTicks / TICKS_PER_SECOND,
    atMs: performance.now(),
  };
}

/** utime + stime of a process (all its threads); 0 once it is gone. */
async function processTicks(pid: string): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function machineLoadBetween(from: MachineSample, to: MachineSample): MachineLoad {
  const seconds = Math.max(1e-3, (to.atMs - from.atMs) / 1000);
  const busy = to.busySeconds - from.busySeconds;
  const ours = to.ourSeconds - from.ourSeconds;
  return {
    otherCpuCores: Math.max(0, busy - ours) / seconds,
    stealCpuCores: (to.stealSeconds - from.stealSeconds) / seconds,
    loadAvg1m: loadavg()[0] ?? 0,
  };
}

/**
 * Waits until other processes (and steal) use at most `maxOtherCpuCores`, or until `waitMs` passed; says
 * whether the machine got quiet. One quiet half second is enough on a machine that was quiet from the
 * start; once it has been busy, three in a row are needed, since bursty neighbours (a test suite) pause
 * between bursts and would otherwise land in the middle of the next load test.
 */
export async function waitForQuiet(
  maxOtherCpuCores: number,
  waitMs: number,
  pids: readonly number[],
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  let needed = 1;
  let quietInARow = 0;
  for (;;) {
    const from = await sampleMachine(pids);
    if (!from) return true;
    await sleep(500, signal);
    const to = await sampleMachine(pids);
    if (!to) return true;
    const load = machineLoadBetween(from, to);
    if (load.otherCpuCores + load.stealCpuCores <= maxOtherCpuCores) quietInARow++;
    else {
      quietInARow = 0;
      needed = 3;
    }
    if (quietInARow >= needed) return true;
    if (performance.now() >= deadline) return false;
  }
}
