import { TrialFaultError } from '../errors.js';
import type { Measurement } from '../loadgen/measurement.js';
import type { Instance } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';

/** Measures a started instance. The controller's seam to the load generator. */
export type Measurer = (
  instance: Instance,
  experiment: ResolvedExperiment,
  signal: AbortSignal,
) => Promise<Measurement>;

/** Recorded measurements (replay) are taken as they are; live instances are stress-tested. */
export const measureInstance: Measurer = async (instance) => {
  if (instance.recorded) return instance.recorded;
  throw new TrialFaultError('this build has no load generator for live instances', 'no-load-generator', {
    retryable: false,
  });
};
