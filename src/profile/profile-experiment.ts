import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { basename } from 'node:path';
import { resolveExperiment } from '../spec/resolve.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { TrialRecord } from '../store/records.js';
import { buildModel, isZooModel } from '../zoo/registry.js';
import { PROFILE_FORMAT, type ProfileHeader, type ProfileRow } from './table.js';

/**
 * The same experiment turned into an exhaustive one: grid search over every configuration, under its
 * own name so that it never mixes with a tuning run of the same spec in a store. `model` replaces the
 * spec's served model (one space file, a table per model).
 */
export function profilingExperiment(experiment: ResolvedExperiment, model?: string): ResolvedExperiment {
  const { metadata, spec } = structuredClone(experiment.document);
  return resolveExperiment(
    {
      metadata: { ...metadata, name: model ? `${experiment.name}-${model}` : `${experiment.name}-profile` },
      spec: {
        ...spec,
        algorithm: { algorithmName: 'grid', algorithmSettings: [] },
        maxNumTrials: experiment.space.size,
        stop: {},
        ...(model ? { service: { ...spec.service, model } } : {}),
      },
    },
    experiment.baseDir,
  );
}

/** The profile table (architecture.md, format 1) of a profiling experiment's finished trials. */
export function profileTable(
  experiment: ResolvedExperiment,
  trials: readonly TrialRecord[],
  versions: Record<string, string>,
) {
  const model = experiment.service?.model ?? 'unknown';
  const zoo = isZooModel(model) ? buildModel(model).info : undefined;
  const header: ProfileHeader = {
    format: PROFILE_FORMAT,
    model: zoo
      ? {
          name: zoo.name,
          family: zoo.family,
          params: zoo.params,
          flopsPerSample: zoo.flopsPerSample,
          input: zoo.input,
        }
      : { name: profiledModelName(model) },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    date: new Date().toISOString(),
    software: { node: process.version, ...versions },
    space: experiment.space.toJSON(),
    measurement: {
      slo: experiment.objective.slo,
      load: experiment.load,
      runner: experiment.runner.definition.name,
    },
  };
  const rows: ProfileRow[] = trials
    .filter((t) => t.status === 'succeeded' || t.status === 'infeasible' || t.status === 'failed')
    .map((t) => ({
      config: t.config,
      status: t.status as ProfileRow['status'],
      metrics: Object.fromEntries(
        Object.entries(t.metrics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'),
      ),
      ...(t.errorMessage && t.status !== 'succeeded' ? { reason: t.errorMessage } : {}),
      ...(t.limits ? { limits: t.limits } : {}),
    }));
  return { header, rows };
}

/** The name a table gives the model it profiled: a zoo name, or an ONNX file's name without `.onnx`. */
export function profiledModelName(model: string): string {
  return basename(model, '.onnx');
}

/** The versions a table's header records, besides Node's. */
export function softwareVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (path: string) => (require(path) as { version: string }).version;
  // From src/profile or dist/profile alike, the package root is two folders up.
  return {
    morphling: version('../../package.json'),
    'onnxruntime-node': version('onnxruntime-node/package.json'),
  };
}
