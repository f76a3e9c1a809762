import { parseQuantity } from '../../space/quantity.js';
import type { EnforcedLimits } from '../runner.js';
import type { Deployment, Pod } from './kube-types.js';

/**
 * What a trial records of its serving pod: the limits and requests Kubernetes holds for it, as the API
 * server stored them (from the ready pod, else the Deployment's template), in the names the other
 * runners use (`cpuQuotaCores`, `memoryLimitBytes`), plus where it ran.
 */
export function recordedLimits(
  deployment: Deployment,
  pods: Pod[],
  namespace: string,
  name: string,
): EnforcedLimits {
  const pod = pods.find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const containers = (pod?.spec ?? deployment.spec.template.spec).containers;
  const resources = containers.find((c) => c.resources?.limits)?.resources;
  const format = (values: Record<string, string> | undefined) =>
    Object.entries(values ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
  const limits: Record<string, string | number | boolean> = {
    runtime: 'kubernetes',
    namespace,
    deployment: name,
  };
  const cpu = resources?.limits?.cpu;
  const memory = resources?.limits?.memory;
  if (cpu !== undefined) limits.cpuQuotaCores = parseQuantity(cpu) as number;
  if (memory !== undefined) limits.memoryLimitBytes = parseQuantity(memory) as number;
  if (resources?.limits) limits.limits = format(resources.limits);
  if (resources?.requests) limits.requests = format(resources.requests);
  if (pod?.metadata.name) limits.pod = pod.metadata.name;
  if (pod?.spec.nodeName) limits.node = pod.spec.nodeName;
  return limits;
}
