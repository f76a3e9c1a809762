import { measureInstance } from '../../src/controller/measure.js';
import type { Runner } from '../../src/runners/runner.js';
import type { Config } from '../../src/space/parameter.js';
import type { ResolvedExperiment } from '../../src/spec/resolved.js';

export interface ConfigMeasurement {
  rps: number;
  p99Ms: number;
  startSeconds: number;
  loadTestSeconds: number;
  levels: number;
}

let trialId = 1;

/** One trial outside any experiment: start the instance with the runner, find its peak, stop it. */
export async function measureConfig(
  runner: Runner,
  experiment: ResolvedExperiment,
  config: Config,
): Promise<ConfigMeasurement> {
  const signal = new AbortController().signal;
  const started = performance.now();
  const instance = await runner.start({
    experiment: experiment.name,
    trialId: trialId++,
    attempt: 1,
    config: experiment.space.canonical(config),
    space: experiment.space,
    signal,
  });
  const ready = performance.now();
  try {
    const { measurement, loadCurve } = await measureInstance(instance, experiment, signal);
    return {
      rps: measurement.rps,
      p99Ms: measurement.p99Ms ?? Number.NaN,
      startSeconds: (ready - started) / 1000,
      loadTestSeconds: (performance.now() - ready) / 1000,
      levels: loadCurve?.length ?? 0,
    };
  } finally {
    await instance.stop();
  }
}
