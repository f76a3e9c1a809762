import type { RunnerDefinition } from './definition.js';
import { docker } from './docker/docker-runner.js';
import { kubernetes } from './kubernetes/kubernetes-runner.js';
import { local } from './local/local-runner.js';
import { replay } from './replay.js';

/** Every runner by name: adding one is one new file and one line here. */
export const RUNNERS = { local, docker, kubernetes, replay } as const satisfies Record<
  string,
  RunnerDefinition
>;

export function runnerNames(): string[] {
  return Object.keys(RUNNERS);
}

export function findRunner(name: string): RunnerDefinition | undefined {
  return Object.hasOwn(RUNNERS, name) ? (RUNNERS as Record<string, RunnerDefinition>)[name] : undefined;
}
