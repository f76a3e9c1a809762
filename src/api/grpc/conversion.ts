import type { z } from 'zod';
import type { AlgorithmDefinition } from '../../algorithms/algorithm.js';
import { designKnobs } from '../../algorithms/initial-design.js';
import { algorithmNames, findAlgorithm } from '../../algorithms/registry.js';
import type { SpecProblem } from '../../errors.js';
import type { Config, Observation, ParameterValue } from '../../space/parameter.js';
import { didYouMean, problemsFromZod } from '../../spec/problems.js';
import type {
  KeyValue,
  SamplingRequest,
  SamplingResponse,
  SamplingValidationRequest,
  TrialResult,
} from './proto.js';
import { invalidArgument } from './request-error.js';
import { ProtoSpace } from './space-conversion.js';

/** A valid GetSuggestions request, in our terms. */
export interface SuggestionJob {
  definition: AlgorithmDefinition;
  settings: Record<string, unknown>;
  /** The settings as sent, in a stable form (to reuse an algorithm instance across calls). */
  settingsKey: string;
  /** The settings as sent (to point at the one naming a file the algorithm could not use). */
  settingEntries: readonly KeyValue[];
  protoSpace: ProtoSpace;
  /** The existing results as observations; `score` is the value, negated when minimising. */
  history: Observation[];
  count: number;
}

/** Converts and checks a GetSuggestions request; throws a RequestError (INVALID_ARGUMENT) naming every bad field. */
export function parseSamplingRequest(request: SamplingRequest): SuggestionJob {
  const problems: SpecProblem[] = [];
  const algorithm = resolveAlgorithm(request.algorithm_name, request.algorithm_extra_settings, problems);
  if (!Number.isInteger(request.required_sampling) || request.required_sampling < 1) {
    problems.push({
      path: 'required_sampling',
      message: `must be at least 1 (how many new configurations are wanted), got ${request.required_sampling}`,
    });
  }
  checkBudgetField(request.sampling_number_specified, problems);
  const protoSpace = collect(problems, () => ProtoSpace.fromRequest(request.parameters));
  if (!protoSpace || !algorithm) throw invalidArgument(problems);
  checkDesignKnobs(algorithm.definition.settings, request.algorithm_extra_settings, protoSpace, problems);
  const history = request.existing_results.flatMap((result, i) => {
    const observation = toObservation(result, i, request.is_maximize, protoSpace, problems);
    return observation ? [observation] : [];
  });
  if (problems.length > 0) throw invalidArgument(problems);

  const { space } = protoSpace;
  const count = request.required_sampling;
  const tried = new Set(history.map((o) => space.key(o.config))).size;
  const budget = request.sampling_number_specified;
  if (budget > 0 && request.existing_results.length + count > budget) {
    problems.push({
      path: 'required_sampling',
      message: `${request.existing_results.length} existing results and ${count} more exceed sampling_number_specified (${budget})`,
    });
  }
  if (count > space.size - tried) {
    problems.push({
      path: 'required_sampling',
      message: `the space has ${space.size} configurations and ${tried} are already tried: cannot provide ${count} more`,
    });
  }
  if (problems.length > 0) throw invalidArgument(problems);
  return { ...algorithm, settingEntries: request.algorithm_extra_settings, protoSpace, history, count };
}

/** Checks a ValidateAlgorithmSettings request: algorithm, settings, and the parameters when given. */
export function parseValidationRequest(request: SamplingValidationRequest): void {
  const problems: SpecProblem[] = [];
  const algorithm = resolveAlgorithm(request.algorithm_name, request.algorithm_extra_settings, problems);
  checkBudgetField(request.sampling_number_specified, problems);
  if (request.parameters.length > 0) {
    const protoSpace = collect(problems, () => ProtoSpace.fromRequest(request.parameters));
    if (protoSpace && algorithm)
      checkDesignKnobs(algorithm.definition.settings, request.algorithm_extra_settings, protoSpace, problems);
  }
  if (problems.length > 0) throw invalidArgument(problems);
}

/** The suggested configurations as the response, each value spelled as in the request. */
export function toResponse(protoSpace: ProtoSpace, configs: readonly Config[]): SamplingResponse {
  return {
    assignments_set: configs.map((config) => ({
      key_values: protoSpace.space.parameters.map((p) => ({
        key: p.name,
        value: protoSpace.spell(p.name, config[p.name] as ParameterValue),
      })),
    })),
  };
}

function checkBudgetField(budget: number, problems: SpecProblem[]): void {
  if (!Number.isInteger(budget) || budget < 0) {
    problems.push({
      path: 'sampling_number_specified',
      message: `must be 0 (no budget given) or the experiment's trial budget, got ${budget}`,
    });
  }
}

/** The algorithm definition and its validated settings, or undefined with the problems recorded. */
function resolveAlgorithm(
  name: string,
  entries: readonly KeyValue[],
  problems: SpecProblem[],
): { definition: AlgorithmDefinition; settings: Record<string, unknown>; settingsKey: string } | undefined {
  const definition = findAlgorithm(name);
  if (!definition) {
    const known = algorithmNames();
    problems.push({
      path: 'algorithm_name',
      message:
        name === ''
          ? `is required; known: ${known.join(', ')}`
          : `unknown algorithm "${name}"${didYouMean(name, known)}; known: ${known.join(', ')}`,
    });
    return undefined;
  }
  const raw: Record<string, string> = {};
  const indexOf = new Map<string, number>();
  const before = problems.length;
  entries.forEach(({ key, value }, i) => {
    if (key === '') {
      problems.push({ path: `algorithm_extra_settings[${i}].key`, message: 'must not be empty' });
    } else if (indexOf.has(key)) {
      problems.push({
        path: `algorithm_extra_settings[${i}].key`,
        message: `setting "${key}" is given twice (also at algorithm_extra_settings[${indexOf.get(key)}])`,
      });
    } else {
      indexOf.set(key, i);
      raw[key] = value;
    }
  });
  if (problems.length > before) return undefined;
  const parsed = definition.settings.safeParse(raw, { reportInput: true });
  if (parsed.success) {
    const settingsKey = JSON.stringify(Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { definition, settings: parsed.data as Record<string, unknown>, settingsKey };
  }
  const known = Object.keys(definition.settings.shape);
  for (const problem of problemsFromZod(parsed.error, definition.settings)) {
    const key = problem.path.split(/[.[]/)[0] as string;
    const entry = `algorithm_extra_settings[${indexOf.get(key) ?? '?'}]`;
    if (problem.message.startsWith('unknown field')) {
      problems.push({
        path: `${entry}.key`,
        message: `unknown setting "${key}" for algorithm ${name}${didYouMean(key, known)}; ${
          known.length > 0 ? `known: ${known.join(', ')}` : 'it takes none'
        }`,
      });
    } else {
      // Settings arrive as strings: say what was sent, not what coercing it to a number gave (NaN).
      const message = problem.message.replace(/got number NaN$/, `got ${JSON.stringify(raw[key] ?? '')}`);
      problems.push({ path: `${entry}.value`, message: `${key} ${message}` });
    }
  }
  return undefined;
}

/** `designKnobs` (the model-based algorithms' corner design) must name numeric parameters of the space. */
function checkDesignKnobs(
  schema: z.ZodObject,
  entries: readonly KeyValue[],
  protoSpace: ProtoSpace,
  problems: SpecProblem[],
): void {
  const index = entries.findIndex((e) => e.key === 'designKnobs');
  if (index < 0 || !('designKnobs' in schema.shape)) return;
  const parsed = schema.shape.designKnobs?.safeParse((entries[index] as KeyValue).value);
  if (!parsed?.success || !Array.isArray(parsed.data)) return;
  try {
    designKnobs(protoSpace.space, parsed.data as string[]);
  } catch (error) {
    problems.push({
      path: `algorithm_extra_settings[${index}].value`,
      message: (error as Error).message,
    });
  }
}

/** One existing result as an observation, or undefined with its problems recorded. */
function toObservation(
  result: TrialResult,
  i: number,
  maximize: boolean,
  protoSpace: ProtoSpace,
  problems: SpecProblem[],
): Observation | undefined {
  const at = `existing_results[${i}]`;
  const before = problems.length;
  const { space } = protoSpace;
  const config: Record<string, ParameterValue> = {};
  result.parameter_assignments.forEach(({ key, value }, j) => {
    const p = space.parameter(key);
    if (!p) {
      problems.push({
        path: `${at}.parameter_assignments[${j}].key`,
        message: protoSpace.unknownParameter(key),
      });
      return;
    }
    if (Object.hasOwn(config, key)) {
      problems.push({
        path: `${at}.parameter_assignments[${j}].key`,
        message: `parameter "${key}" is assigned twice`,
      });
      return;
    }
    const canonical = protoSpace.valueOf(p, value);
    if (canonical === undefined) {
      problems.push({
        path: `${at}.parameter_assignments[${j}].value`,
        message: `${JSON.stringify(value)} is not in the feasible space of "${key}"`,
      });
      return;
    }
    config[key] = canonical;
  });
  const missing = space.parameters.filter((p) => !Object.hasOwn(config, p.name)).map((p) => `"${p.name}"`);
  if (missing.length > 0 && problems.length === before) {
    problems.push({ path: `${at}.parameter_assignments`, message: `no value for ${missing.join(', ')}` });
  }
  const value = result.object_value;
  if (!Number.isNaN(value) && !Number.isFinite(value)) {
    problems.push({
      path: `${at}.object_value`,
      message: `must be a finite number (or NaN for a trial that produced no value), got ${value}`,
    });
  }
  if (problems.length > before) return undefined;
  // The proto has no trial status: a NaN objective is the one way to say a trial produced no value.
  if (Number.isNaN(value)) return { config, status: 'failed' };
  return { config, status: 'succeeded', value, score: maximize ? value : -value };
}

function collect<T>(problems: SpecProblem[], body: () => T): T | undefined {
  try {
    return body();
  } catch (error) {
    const found = (error as { problems?: SpecProblem[] }).problems;
    if (!Array.isArray(found)) throw error;
    problems.push(...found);
    return undefined;
  }
}
