import type { z } from 'zod';
import { algorithmNames, findAlgorithm } from '../algorithms/registry.js';
import { SpecError, type SpecProblem } from '../errors.js';
import { findRunner, runnerNames } from '../runners/registry.js';
import type { ParameterSpec } from '../space/parameter.js';
import { parameterProblems } from '../space/parameter-values.js';
import { describe } from '../space/schema.js';
import { SearchSpace } from '../space/search-space.js';
import { didYouMean, problemsFromZod } from './problems.js';
import type { ResolvedExperiment } from './resolved.js';
import { type ExperimentDocument, ExperimentDocumentSchema } from './schema.js';

/**
 * Validates a parsed experiment document and resolves it in one step. Throws `SpecError` listing every
 * problem found, each with the path of its field.
 */
export function resolveExperiment(input: unknown, baseDir: string): ResolvedExperiment {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SpecError([
      { path: '', message: `an experiment must be a mapping of fields, got ${describe(input)}` },
    ]);
  }
  const parsed = ExperimentDocumentSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new SpecError(problemsFromZod(parsed.error, ExperimentDocumentSchema));
  const document = parsed.data;
  const spec = document.spec;
  const problems: SpecProblem[] = [];

  const parameters = flattenParameters(document, problems);
  const algorithm = resolveAlgorithm(document, problems);
  const runner = resolveRegistered(
    'spec.runner',
    spec.runner.name,
    findRunner(spec.runner.name),
    runnerNames(),
    'runner',
    spec.runner.settings,
    problems,
  );
  if (problems.length > 0) throw new SpecError(problems);

  const space = new SearchSpace(parameters);
  return Object.freeze({
    name: document.metadata.name,
    document,
    baseDir,
    parameters,
    space,
    objective: {
      goal: spec.objective.type,
      metric: spec.objective.objectiveMetricName,
      pricing: spec.pricing,
      slo: spec.slo,
      constraints: spec.constraints,
    },
    algorithm: algorithm as NonNullable<typeof algorithm>,
    runner: runner as NonNullable<typeof runner>,
    maxNumTrials: spec.maxNumTrials,
    parallelism: spec.parallelism,
    maxTrialAttempts: spec.maxTrialAttempts,
    stop: spec.stop,
    service: spec.service,
    load: spec.load,
  });
}

function flattenParameters(document: ExperimentDocument, problems: SpecProblem[]): ParameterSpec[] {
  const parameters: ParameterSpec[] = [];
  const firstPath = new Map<string, string>();
  document.spec.tunableParameters.forEach((group, i) => {
    group.parameters.forEach((body, j) => {
      const path = `spec.tunableParameters[${i}].parameters[${j}]`;
      const parameter: ParameterSpec = { ...body, category: group.category };
      for (const problem of parameterProblems(parameter)) {
        problems.push({ path: `${path}.${problem.path}`, message: problem.message });
      }
      const first = firstPath.get(parameter.name);
      if (first)
        problems.push({
          path: `${path}.name`,
          message: `duplicate parameter name "${parameter.name}" (also at ${first})`,
        });
      else firstPath.set(parameter.name, path);
      parameters.push(parameter);
    });
  });
  return parameters;
}

function resolveAlgorithm(document: ExperimentDocument, problems: SpecProblem[]) {
  const { algorithmName, algorithmSettings } = document.spec.algorithm;
  const definition = findAlgorithm(algorithmName);
  if (!definition) {
    problems.push({
      path: 'spec.algorithm.algorithmName',
      message: `unknown algorithm "${algorithmName}"${didYouMean(algorithmName, algorithmNames())}; known: ${algorithmNames().join(', ')}`,
    });
    return undefined;
  }
  const settings: Record<string, unknown> = {};
  const entryPath = (name: string) =>
    `spec.algorithm.algorithmSettings[${algorithmSettings.findIndex((s) => s.name === name)}]`;
  algorithmSettings.forEach(({ name, value }, index) => {
    if (Object.hasOwn(settings, name)) {
      problems.push({
        path: `spec.algorithm.algorithmSettings[${index}].name`,
        message: `setting "${name}" is given twice`,
      });
    }
    settings[name] = value;
  });
  // The file lists settings as {name, value} entries, so problems point at the entry, not at a field.
  const parsed = definition.settings.safeParse(settings, { reportInput: true });
  if (parsed.success) return { definition, settings: parsed.data };
  const known = Object.keys(definition.settings.shape);
  for (const problem of problemsFromZod(parsed.error, definition.settings)) {
    const name = problem.path.split(/[.[]/)[0] as string;
    if (problem.message.startsWith('unknown field')) {
      problems.push({
        path: `${entryPath(name)}.name`,
        message: `unknown setting "${name}" for algorithm ${algorithmName}${didYouMean(name, known)}; ${known.length ? `known: ${known.join(', ')}` : 'it takes none'}`,
      });
    } else {
      problems.push({ path: `${entryPath(name)}.value`, message: `${name} ${problem.message}` });
    }
  }
  return undefined;
}

function resolveRegistered<D extends { settings: z.ZodObject }>(
  path: string,
  name: string,
  definition: D | undefined,
  names: string[],
  kind: string,
  settings: Record<string, unknown>,
  problems: SpecProblem[],
): { definition: D; settings: Record<string, unknown> } | undefined {
  if (!definition) {
    problems.push({
      path: `${path}.name`,
      message: `unknown ${kind} "${name}"${didYouMean(name, names)}; known: ${names.join(', ')}`,
    });
    return undefined;
  }
  const parsed = definition.settings.safeParse(settings, { reportInput: true });
  if (!parsed.success) {
    for (const problem of problemsFromZod(parsed.error, definition.settings)) {
      problems.push({
        path: `${path}.settings${problem.path ? `.${problem.path}` : ''}`,
        message: problem.message,
      });
    }
    return undefined;
  }
  return { definition, settings: parsed.data };
}
