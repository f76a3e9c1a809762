import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Resource limits through cgroup v1, which is what these machines allow (the v2 hierarchy is mounted
 * but has no controllers, so `cpu.max` cannot be used). Each controller is its own hierarchy; a group
 * for a trial is created under this process's own cgroup of each controller, so it stays inside
 * whatever limits the machine already puts on us.
 */
export type Controller = 'cpu' | 'cpuacct' | 'cpuset' | 'memory';
const CONTROLLERS: readonly Controller[] = ['cpu', 'cpuacct', 'cpuset', 'memory'];
const ROOT = '/sys/fs/cgroup';
export const GROUP_PREFIX = 'morphling';

/** Where this process may create child groups, per usable controller. */
export type CgroupSupport = Partial<Record<Controller, string>>;

export async function detectCgroupV1(): Promise<CgroupSupport> {
  const support: CgroupSupport = {};
  let membership = '';
  try {
    membership = await readFile('/proc/self/cgroup', 'utf8');
  } catch {
    return support;
  }
  for (const controller of CONTROLLERS) {
    const line = membership.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
    // A process started by a pinned controller sits in one of our groups: use the groups' common parent.
    const own = (line?.split(':')[2] ?? '/').split(`/${GROUP_PREFIX}/`)[0] || '/';
    const mount = join(ROOT, controller);
    if (!existsSync(join(mount, 'cgroup.procs'))) continue;
    const parent = join(mount, own, GROUP_PREFIX);
    try {
      await mkdir(parent, { recursive: true });
      if (controller === 'cpuset') await inheritCpuset(join(mount, own), parent);
      support[controller] = parent;
    } catch {
      // Not writable (not root, read-only mount): that limit cannot be enforced here.
    }
  }
  return support;
}

export interface GroupLimits {
  /** CPU time per period as a number of cores (0.5 = 50 ms per 100 ms). */
  cpuQuotaCores?: number;
  /** The CFS period the quota is spread over, in microseconds (Kubernetes uses 100 ms). */
  cpuPeriodMicros?: number;
  cpuset?: string;
  memoryBytes?: number;
}

/** One trial's group in every usable controller. */
export class CgroupV1Group {
  private constructor(
    readonly name: string,
    private readonly paths: Partial<Record<Controller, string>>,
  ) {}

  static async create(support: CgroupSupport, name: string, limits: GroupLimits): Promise<CgroupV1Group> {
    const paths: Partial<Record<Controller, string>> = {};
    const group = new CgroupV1Group(name, paths);
    try {
      for (const controller of CONTROLLERS) {
        const parent = support[controller];
        if (!parent) continue;
        const path = join(parent, name);
        await mkdir(path, { recursive: true });
        paths[controller] = path;
      }
      if (limits.cpuQuotaCores !== undefined) {
        await group.setCpuQuota(limits.cpuQuotaCores, limits.cpuPeriodMicros);
      }
      if (paths.cpuset) {
        // A cpuset group accepts no process until it has CPUs and memory nodes.
        await inheritCpuset(support.cpuset as string, paths.cpuset);
        if (limits.cpuset !== undefined) await group.write('cpuset', 'cpuset.cpus', limits.cpuset);
      }
      if (paths.memory) {
        await group.write('memory', 'memory.move_charge_at_immigrate', '3').catch(() => {});
        if (limits.memoryBytes !== undefined) {
          await group.write('memory', 'memory.limit_in_bytes', String(Math.floor(limits.memoryBytes)));
          // Without swap limits a process over its limit swaps instead of being OOM-killed.
          await group
            .write('memory', 'memory.memsw.limit_in_bytes', String(Math.floor(limits.memoryBytes)))
            .catch(() => {});
        }
      }
      return group;
    } catch (error) {
      await group.remove();
      throw error;
    }
  }

  has(controller: Controller): boolean {
    return this.paths[controller] !== undefined;
  }

  /** Limits the group to `cores` worth of CPU time per CFS period, from now on. */
  async setCpuQuota(cores: number, periodMicros = 100_000): Promise<void> {
    await this.write('cpu', 'cpu.cfs_period_us', String(periodMicros));
    await this.write('cpu', 'cpu.cfs_quota_us', String(Math.max(1000, Math.round(cores * periodMicros))));
  }

  /** Moves a process (all its threads) into every controller's group. */
  async addProcess(pid: number): Promise<void> {
    for (const controller of CONTROLLERS)
      if (this.paths[controller]) await this.write(controller, 'cgroup.procs', String(pid));
  }

  async cpuSeconds(): Promise<number | undefined> {
    const text = await this.read('cpuacct', 'cpuacct.usage');
    return text === undefined ? undefined : Number(text) / 1e9;
  }

  async peakMemoryBytes(): Promise<number | undefined> {
    const text = await this.read('memory', 'memory.max_usage_in_bytes');
    return text === undefined ? undefined : Number(text);
  }

  /** How many processes of the group the kernel OOM-killed. */
  async oomKills(): Promise<number> {
    const text = await this.read('memory', 'memory.oom_control');
    const match = text ? /oom_kill (\d+)/.exec(text) : null;
    return match ? Number(match[1]) : 0;
  }

  /** Removes the group everywhere; processes still in it must be gone (the kernel refuses otherwise). */
  async remove(): Promise<void> {
    for (const path of Object.values(this.paths)) await removeGroupDir(path);
  }

  private async write(controller: Controller, file: string, value: string): Promise<void> {
    const path = this.paths[controller];
    if (!path) throw new Error(`cgroup controller ${controller} is not available`);
    await writeFile(join(path, file), value);
  }

  private async read(controller: Controller, file: string): Promise<string | undefined> {
    const path = this.paths[controller];
    if (!path) return undefined;
    try {
      return (await readFile(join(path, file), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }
}

/** Process ids in a group directory (for cleaning up after a dead controller). */
export async function groupPids(path: string): Promise<number[]> {
  try {
    return (await readFile(join(path, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Group directories under our prefix in every usable controller. */
export async function listGroups(support: CgroupSupport): Promise<{ name: string; path: string }[]> {
  const groups: { name: string; path: string }[] = [];
  for (const parent of Object.values(support)) {
    for (const entry of await readdir(parent, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) groups.push({ name: entry.name, path: join(parent, entry.name) });
    }
  }
  return groups;
}

export async function removeGroupDir(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeGroupDir(join(path, entry.name));
  }
  // The kernel frees a group a moment after its last process exits; retry briefly.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`cgroup ${path} is still busy`);
}

async function inheritCpuset(from: string, to: string): Promise<void> {
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const current = (await readFile(join(to, file), 'utf8')).trim();
    if (current === '') await writeFile(join(to, file), (await readFile(join(from, file), 'utf8')).trim());
  }
}
