import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CgroupSupport, groupPids, listGroups, removeGroupDir } from './cgroup-v1.js';
import { isAlive, signalGroup } from './child-process.js';

/**
 * A record of every server process this controller started, so that a controller started after a
 * SIGKILL can find and stop the servers (and remove the cgroups) the dead one left behind.
 */
const REGISTRY = join(tmpdir(), 'morphling-local-instances');

export interface InstanceRecord {
  controllerPid: number;
  pgid: number;
  group: string;
}

export async function registerInstance(record: InstanceRecord): Promise<string> {
  await mkdir(REGISTRY, { recursive: true });
  const path = join(REGISTRY, `${record.group}.json`);
  await writeFile(path, JSON.stringify(record));
  return path;
}

export async function unregisterInstance(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Stops servers and removes groups whose controller is dead. Returns what it removed. */
export async function removeLeftovers(support: CgroupSupport): Promise<string[]> {
  const removed: string[] = [];
  for (const file of await readdir(REGISTRY).catch(() => [] as string[])) {
    const path = join(REGISTRY, file);
    let record: InstanceRecord;
    try {
      record = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      await rm(path, { force: true });
      continue;
    }
    if (isAlive(record.controllerPid)) continue;
    signalGroup(record.pgid, 'SIGKILL');
    await rm(path, { force: true });
    removed.push(`process group ${record.pgid}`);
  }
  for (const group of await listGroups(support)) {
    const owner = Number(group.name.split('-')[0]);
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    for (const pid of await groupPids(group.path)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await removeGroupDir(group.path).catch(() => {});
    removed.push(`cgroup ${group.path}`);
  }
  return removed;
}
