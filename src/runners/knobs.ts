import type { Config, ParameterCategory, ParameterValue } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';

/**
 * How a configuration's knobs reach a serving instance, the same on every runner so that one spec
 * means the same thing on a laptop, in Docker and in a cluster: `env` knobs are environment variables
 * named as the knob, `args` knobs are `--name=value` arguments appended after the service's own, and
 * `resource` knobs are limits the runner enforces (cgroups, container limits, pod requests/limits).
 * (alibaba/morphling upper-cases env names and appends an args knob's bare value; we keep the names
 * as written and say which flag a value is for.)
 */
export interface Knob {
  readonly name: string;
  readonly value: ParameterValue;
}

export function knobsOf(space: SearchSpace, config: Config, category: ParameterCategory): Knob[] {
  return space.parameters
    .filter((p) => p.category === category && config[p.name] !== undefined)
    .map((p) => ({ name: p.name, value: config[p.name] as ParameterValue }));
}

export function knobEnv(space: SearchSpace, config: Config): Record<string, string> {
  return Object.fromEntries(knobsOf(space, config, 'env').map((k) => [k.name, String(k.value)]));
}

export function knobArgs(space: SearchSpace, config: Config): string[] {
  return knobsOf(space, config, 'args').map(
    (k) => `${k.name.startsWith('-') ? k.name : `--${k.name}`}=${k.value}`,
  );
}

/** Replaces the literal `${PORT}` placeholder a spec's command or args may use. */
export function withPort(args: readonly string[], port: number): string[] {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${PORT}` in a spec's args is a literal placeholder.
  return args.map((arg) => arg.replaceAll('${PORT}', String(port)));
}
