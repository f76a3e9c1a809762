import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who claims trials. `name` is for people (progress lines, `claimedBy`); `token` is unique to this
 * process and says where it runs: `<machine>/<pid namespace>/<pid>/<random>`. The machine is the kernel's
 * boot id, the same for every container of the machine; with the pid namespace it tells whether a
 * holder's pid can be checked from here.
 */
export interface WorkerIdentity {
  name: string;
  token: string;
}

export function workerIdentity(name?: string): WorkerIdentity {
  return {
    name: name ?? `${hostname()}-${process.pid}`,
    token: [...here(), process.pid, randomBytes(6).toString('hex')].join('/'),
  };
}

/**
 * True only when the claim token's process provably no longer exists: it ran on this machine, in this
 * pid namespace, and its pid is gone. A process elsewhere may be alive: its claims end with its lease.
 * (A reused pid makes a dead holder look alive, which only delays its trials until the lease ends.)
 */
export function holderIsDead(token: string): boolean {
  const [machine, namespace, pid] = token.split('/');
  const [ourMachine, ourNamespace] = here();
  if (machine !== ourMachine || namespace !== ourNamespace || !machine || !namespace) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function here(): [machine: string, pidNamespace: string] {
  return [readOr('/proc/sys/kernel/random/boot_id', hostname()), linkOr('/proc/self/ns/pid', '')];
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** `pid:[4026531836]` → `4026531836`. */
function linkOr(path: string, fallback: string): string {
  try {
    return readlinkSync(path).replace(/\D/g, '');
  } catch {
    return fallback;
  }
}
