import type { SpecProblem } from '../../errors.js';
import type { Config } from '../../space/parameter.js';
import { parseQuantity } from '../../space/quantity.js';
import type { SearchSpace } from '../../space/search-space.js';
import { knobsOf } from '../knobs.js';
import type { ContainerInspect, HostConfig } from './engine-types.js';

/** The resource knobs a container can be limited by, as `docker run` spells them. */
const DOCKER_RESOURCE_KNOBS = {
  cpu: '--cpus (HostConfig.NanoCpus)',
  memory: '--memory, with --memory-swap equal (no swap)',
  cpuset: '--cpuset-cpus',
  'nvidia.com/gpu': '--gpus N (a device request to the nvidia driver)',
} as const;

/** Problems with a space's resource knobs under Docker: unknown names, values that are no quantity. */
export function resourceKnobProblems(space: SearchSpace): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const parameter of space.parameters.filter((p) => p.category === 'resource')) {
    const path = `spec.tunableParameters (resource "${parameter.name}")`;
    if (!Object.hasOwn(DOCKER_RESOURCE_KNOBS, parameter.name)) {
      problems.push({
        path,
        message: `the docker runner enforces only the resource knobs ${Object.keys(DOCKER_RESOURCE_KNOBS).join(', ')}`,
      });
      continue;
    }
    if (parameter.name === 'cpuset') continue;
    const bad = parameter.values.filter((v) => !((parseQuantity(v) ?? -1) >= 0));
    if (bad.length > 0) {
      problems.push({ path, message: `${bad.join(', ')} is not a resource quantity (e.g. 500m, 2, 256Mi)` });
    }
  }
  return problems;
}

/**
 * The container limits of one configuration. `defaultCpuset` keeps the instance off the load client's
 * CPU when the space does not tune `cpuset` itself.
 */
export function hostConfigLimits(space: SearchSpace, config: Config, defaultCpuset?: string): HostConfig {
  const limits: HostConfig = {};
  for (const { name, value } of knobsOf(space, config, 'resource')) {
    if (name === 'cpuset') {
      limits.CpusetCpus = String(value);
      continue;
    }
    const amount = parseQuantity(value) as number;
    if (name === 'cpu') limits.NanoCpus = Math.round(amount * 1e9);
    if (name === 'memory') limits.Memory = limits.MemorySwap = Math.floor(amount);
    if (name === 'nvidia.com/gpu' && amount > 0) {
      limits.DeviceRequests = [{ Driver: 'nvidia', Count: Math.ceil(amount), Capabilities: [['gpu']] }];
    }
  }
  if (limits.CpusetCpus === undefined && defaultCpuset) limits.CpusetCpus = defaultCpuset;
  return limits;
}

/**
 * The limits the daemon reports for a created container — what it really applied, not what was asked
 * for — in the names the local runner records (`cpuQuotaCores`, `memoryLimitBytes`, `cpuset`).
 */
export function enforcedLimits(inspect: ContainerInspect): Record<string, string | number | boolean> {
  const host = inspect.HostConfig;
  const limits: Record<string, string | number | boolean> = { runtime: 'docker' };
  if (host.NanoCpus) limits.cpuQuotaCores = host.NanoCpus / 1e9;
  if (host.Memory) limits.memoryLimitBytes = host.Memory;
  if (host.Memory && host.MemorySwap === host.Memory) limits.swap = false;
  if (host.CpusetCpus) limits.cpuset = host.CpusetCpus;
  const gpus = host.DeviceRequests?.find((request) => request.Capabilities.some((c) => c.includes('gpu')));
  if (gpus) limits.gpus = gpus.Count;
  return limits;
}
