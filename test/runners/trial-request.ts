import type { TrialRequest } from '../../src/runners/runner.js';
import type { Config } from '../../src/space/parameter.js';
import type { ResolvedExperiment } from '../../src/spec/resolved.js';

/** The first attempt of trial `trialId` of `experiment` with `config`, never aborted. */
export function trialRequest(experiment: ResolvedExperiment, config: Config, trialId = 1): TrialRequest {
  return {
    experiment: experiment.name,
    trialId,
    attempt: 1,
    config,
    space: experiment.space,
    signal: new AbortController().signal,
  };
}
