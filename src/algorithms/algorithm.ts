import type { z } from 'zod';
import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';

/** Everything an algorithm may know when it suggests: never a runner, never the store. */
export interface SuggestContext {
  space: SearchSpace;
  /** Every trial of the experiment so far, finished or not, in creation order. */
  history: readonly Observation[];
  /** How many new configurations are wanted (free parallel slots, capped by the remaining budget). */
  count: number;
  /**
   * The metric the history's values measure, when the caller knows it: lets a search pick prior
   * knowledge trained for the same objective (a shipped meta-model). Values are always to be maximised.
   */
  objectiveMetric?: string;
}

/**
 * A search algorithm: pure, given the space and the history it returns configurations to try next.
 * It must not return a configuration already in the history (done, running or pending); it may return
 * fewer than `count` when the space has nothing left worth trying.
 */
export interface Algorithm {
  suggest(context: SuggestContext): Config[] | Promise<Config[]>;
}

/** An entry of the algorithm registry: a name, a settings schema, and a factory. */
export interface AlgorithmDefinition<Settings extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  /** Validates the spec's `algorithmSettings` (given as `{name: value}`, values possibly strings). */
  readonly settings: Settings;
  create(settings: z.infer<Settings>): Algorithm;
}

export function defineAlgorithm<Settings extends z.ZodObject>(
  definition: AlgorithmDefinition<Settings>,
): AlgorithmDefinition<Settings> {
  return Object.freeze(definition);
}
