import { basename, resolve } from 'node:path';
import { request as httpRequest } from 'undici';
import { InfeasibleConfigError, TrialFaultError } from '../errors.js';
import { findPeak } from '../loadgen/find-peak.js';
import type { LoadLevel } from '../loadgen/level.js';
import { machineLoadBetween, sampleMachine, waitForQuiet } from '../loadgen/machine-load.js';
import type { Measurement } from '../loadgen/measurement.js';
import type { InputSignature, RequestSettings } from '../loadgen/options.js';
import type { Instance } from '../runners/runner.js';
import type { ResolvedExperiment } from '../spec/resolved.js';

export interface MeasuredTrial {
  measurement: Measurement;
  /** Every load level the peak search measured. */
  loadCurve?: LoadLevel[];
}

/** Measures a started instance. The controller's seam to the load generator. */
export type Measurer = (
  instance: Instance,
  experiment: ResolvedExperiment,
  signal: AbortSignal,
) => Promise<MeasuredTrial>;

/** What a load test reads of an experiment; the in-cluster load client (runners/kubernetes) has only this. */
export type LoadTestedExperiment = Pick<ResolvedExperiment, 'load' | 'service' | 'baseDir'> & {
  readonly objective: Pick<ResolvedExperiment['objective'], 'slo'>;
};

/**
 * Recorded measurements (replay) are taken as they are; a live instance gets a peak search under the
 * experiment's SLO with the spec's load settings.
 */
export const measureInstance = async (
  instance: Instance,
  experiment: LoadTestedExperiment,
  signal: AbortSignal,
): Promise<MeasuredTrial> => {
  if (instance.recorded) return { measurement: instance.recorded };
  if (!instance.endpoint) {
    throw new TrialFaultError('the runner started an instance without an endpoint to load', 'no-endpoint', {
      retryable: false,
    });
  }
  const request = await requestFor(instance.endpoint, experiment, signal);
  const { quietMachine, ...load } = experiment.load;
  const pids = instance.pid === undefined ? [] : [instance.pid];
  // Kept apart so that a trial's loadTestSeconds is the load test's own time, not the neighbours' turn.
  let quiet: { quietWaitSeconds?: number } = {};
  if (quietMachine) {
    const waitStartedAt = performance.now();
    await waitForQuiet(quietMachine.maxOtherCpuCores, quietMachine.waitSeconds * 1000, pids, signal);
    quiet = { quietWaitSeconds: (performance.now() - waitStartedAt) / 1000 };
  }
  const before = await sampleMachine(pids);
  const machineLoad = async () => {
    const after = await sampleMachine(pids);
    const machine = before && after ? machineLoadBetween(before, after) : undefined;
    const disturbance = machine ? machine.otherCpuCores + machine.stealCpuCores : 0;
    if (quietMachine && disturbance > quietMachine.maxOtherCpuCores) {
      throw new TrialFaultError(
        `other processes used ${disturbance.toFixed(2)} cores during the load test (load.quietMachine.maxOtherCpuCores: ${quietMachine.maxOtherCpuCores})`,
        'noisy-machine',
        // Waiting for quiet (load.quietMachine.waitSeconds) before each try bounds how fast this repeats.
        { countsAsAttempt: false },
      );
    }
    return machine;
  };
  let result: Awaited<ReturnType<typeof findPeak>>;
  try {
    result = await findPeak({
      ...load,
      request,
      baseUrl: instance.endpoint,
      slo: experiment.objective.slo,
      signal,
    });
  } catch (error) {
    // "Too slow even unloaded" is no verdict on the configuration when neighbours took the CPU meanwhile.
    if (error instanceof InfeasibleConfigError) await machineLoad();
    throw error;
  }
  const machine = await machineLoad();
  return { measurement: { ...result.measurement, ...machine, ...quiet }, loadCurve: result.curve };
};

/**
 * The request each load-test call sends. A spec that names none, serving a model with the bundled
 * server, gets a KServe v2 infer request built from the model's own metadata (`GET /v2/models/{name}`),
 * with binary tensor data (an extension Triton speaks too), so the examples need no request template.
 */
async function requestFor(
  endpoint: string,
  experiment: LoadTestedExperiment,
  signal: AbortSignal,
): Promise<RequestSettings> {
  const request = experiment.load.request;
  if (request.source?.kind === 'file') {
    return {
      ...request,
      source: { ...request.source, path: resolve(experiment.baseDir, request.source.path) },
    };
  }
  const model = experiment.service?.model;
  if (request.source || request.path !== '/' || !model) return request;
  const name = model.endsWith('.onnx') ? basename(model, '.onnx') : model;
  const response = await httpRequest(`${endpoint}/v2/models/${encodeURIComponent(name)}`, { signal });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new TrialFaultError(
      `the server does not describe model "${name}" (HTTP ${response.statusCode})`,
      'no-model-metadata',
    );
  }
  const metadata = (await response.body.json()) as {
    inputs: { name: string; datatype: string; shape: number[] }[];
  };
  const inputs: InputSignature[] = metadata.inputs.map((input) => ({
    name: input.name,
    dtype: input.datatype === 'INT64' ? 'int64' : 'float32',
    shape: input.shape.map((dim, i) => (i === 0 && dim === -1 ? 'N' : dim < 0 ? 1 : dim)),
  }));
  return {
    ...request,
    path: `/v2/models/${encodeURIComponent(name)}/infer`,
    // Binary tensors: JSON arrays of numbers made the bundled server spend more on parsing than on the
    // model, and its throughput collapse under overload (receive livelock) made peaks erratic.
    source: { kind: 'signature', inputs, encoding: 'binary' },
  };
}
