import { availableParallelism } from 'node:os';
import type { SpecProblem } from '../errors.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import { cpusetSize, defaultCpuSplit } from './local/cpuset.js';

/**
 * The CPUs of a serving instance when the space does not tune `cpuset`: the runner's `instanceCpus`,
 * else, when the load client is kept apart (`isolateClient`), all CPUs but the client's CPU 0.
 */
export function instanceCpuset(settings: {
  instanceCpus?: string;
  isolateClient: boolean;
}): string | undefined {
  const kept = settings.isolateClient ? defaultCpuSplit(availableParallelism()).instance : undefined;
  return settings.instanceCpus ?? kept;
}

/**
 * The problem of a space whose `cpu` knob goes higher than the instance's CPUs can give (when the
 * space does not tune `cpuset` itself): those configurations would measure the cpuset, not the knob.
 * `instance` names what runs the server in the message ("instance", "container").
 */
export function cpuBeyondCpuset(
  experiment: ResolvedExperiment,
  instanceCpus: string | undefined,
  instance: string,
): SpecProblem | undefined {
  const cpu = experiment.space.parameter('cpu');
  if (!cpu?.magnitudes || !instanceCpus || experiment.space.parameter('cpuset')) return undefined;
  const most = Math.max(...cpu.magnitudes);
  const size = cpusetSize(instanceCpus);
  if (most <= size) return undefined;
  return {
    path: 'spec.tunableParameters (resource "cpu")',
    message: `goes up to ${most} cores but the ${instance} may use only CPUs ${instanceCpus} (${size}); the rest are kept for the load client (spec.runner.settings.instanceCpus, isolateClient)`,
  };
}
