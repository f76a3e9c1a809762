import type { Config, ParameterValue } from '../../space/parameter.js';
import { parseQuantity } from '../../space/quantity.js';
import type { SearchSpace } from '../../space/search-space.js';
import { knobArgs, knobEnv, knobsOf } from '../knobs.js';
import type { Container } from './kube-types.js';

/**
 * A resource knob's value as a Kubernetes quantity: strings as written (`500m`, `1Gi`), numbers in
 * their plain decimal form, fractional CPUs in millicores (0.25 → `250m`, as kubectl prints them).
 */
export function quantity(name: string, value: ParameterValue): string {
  if (typeof value === 'string') return value;
  if (name === 'cpu' && !Number.isInteger(value)) return `${Math.round(value * 1000)}m`;
  return String(value);
}

/**
 * One configuration injected into a container, as alibaba/morphling does it: every `resource` knob
 * becomes both the request and the limit of that resource (cpu, memory, nvidia.com/gpu or any extended
 * resource: a trial measures the instance with exactly what it was given, and Kubernetes requires
 * request = limit for extended resources); `env` knobs set environment variables (replacing a value
 * the template gave); `args` knobs are appended to the container's args. Returns a new container.
 */
export function withKnobs(container: Container, space: SearchSpace, config: Config): Container {
  const requests = { ...(container.resources?.requests ?? {}) };
  const limits = { ...(container.resources?.limits ?? {}) };
  for (const { name, value } of knobsOf(space, config, 'resource')) {
    requests[name] = limits[name] = quantity(name, value);
  }
  const knobEnvironment = knobEnv(space, config);
  const env = [
    ...(container.env ?? []).filter((variable) => !Object.hasOwn(knobEnvironment, variable.name)),
    ...Object.entries(knobEnvironment).map(([name, value]) => ({ name, value })),
  ];
  const args = [...(container.args ?? []), ...knobArgs(space, config)];
  return {
    ...container,
    ...(env.length > 0 ? { env } : {}),
    ...(args.length > 0 ? { args } : {}),
    ...(Object.keys(limits).length > 0 ? { resources: { ...container.resources, requests, limits } } : {}),
  };
}

/** Resource knobs whose values are not quantities a pod can request. */
export function badQuantities(space: SearchSpace): string[] {
  return space.parameters
    .filter((p) => p.category === 'resource')
    .flatMap((p) =>
      p.values
        .filter((value) => !((parseQuantity(value) ?? -1) >= 0))
        .map((value) => `resource "${p.name}": ${value} is not a Kubernetes quantity`),
    );
}
