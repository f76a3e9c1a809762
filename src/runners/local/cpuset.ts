/** Number of CPUs in a cpuset list such as `0-3,6`. */
export function cpusetSize(list: string): number {
  let count = 0;
  for (const part of list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [from, to] = part.split('-').map(Number) as [number, number | undefined];
    if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to)))
      throw new RangeError(`not a cpuset: "${list}"`);
    count += to === undefined ? 1 : to - from + 1;
  }
  return count;
}

/** The default split of this machine: CPU 0 for the load client, the rest for the serving instance. */
export function defaultCpuSplit(cpus: number): { client?: string; instance?: string } {
  if (cpus < 2) return {};
  return { client: '0', instance: cpus === 2 ? '1' : `1-${cpus - 1}` };
}
