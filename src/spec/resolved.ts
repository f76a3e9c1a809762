import type { AlgorithmDefinition } from '../algorithms/algorithm.js';
import type { Objective } from '../objective/objective.js';
import type { RunnerDefinition } from '../runners/definition.js';
import type { ParameterSpec } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import type { ExperimentDocument } from './schema.js';

/** An experiment file after validation: defaults filled, references resolved, frozen. */
export interface ResolvedExperiment {
  readonly name: string;
  /** The validated document with defaults applied: what the store keeps, and what resume re-resolves. */
  readonly document: ExperimentDocument;
  /** Directory relative paths in the spec are resolved against (the spec file's directory). */
  readonly baseDir: string;
  readonly parameters: readonly ParameterSpec[];
  readonly space: SearchSpace;
  readonly objective: Objective;
  readonly algorithm: {
    readonly definition: AlgorithmDefinition;
    readonly settings: Readonly<Record<string, unknown>>;
  };
  readonly runner: {
    readonly definition: RunnerDefinition;
    readonly settings: Readonly<Record<string, unknown>>;
  };
  readonly maxNumTrials: number;
  readonly parallelism: number;
  readonly maxTrialAttempts: number;
  readonly stop: ExperimentDocument['spec']['stop'];
  readonly service: ExperimentDocument['spec']['service'];
  readonly load: ExperimentDocument['spec']['load'];
}
