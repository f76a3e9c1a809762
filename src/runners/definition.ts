import type { z } from 'zod';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { Runner } from './runner.js';

/** An entry of the runner registry: a name, a schema for `spec.runner.settings`, and a factory. */
export interface RunnerDefinition<Settings extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  readonly settings: Settings;
  create(settings: z.infer<Settings>, experiment: ResolvedExperiment): Runner | Promise<Runner>;
}

export function defineRunner<Settings extends z.ZodObject>(
  definition: RunnerDefinition<Settings>,
): RunnerDefinition<Settings> {
  return Object.freeze(definition);
}
