import type { SpecProblem } from '../errors.js';
import type { ParameterSpec, ParameterValue } from './parameter.js';
import { parseQuantity } from './quantity.js';

/** Above this many values a knob is almost surely mistyped (a step of 1 on a range of millions). */
export const MAX_VALUES_PER_PARAMETER = 10_000;

/** The problems with one parameter's feasible space, with paths relative to the parameter. */
export function parameterProblems(spec: ParameterSpec): SpecProblem[] {
  const { min, max, step, list } = spec.feasibleSpace;
  const problems: SpecProblem[] = [];
  const at = (path: string, message: string) => problems.push({ path, message });
  if (spec.parameterType === 'int' || spec.parameterType === 'double') {
    if (min === undefined)
      at('feasibleSpace.min', `is required for a parameter of type ${spec.parameterType}`);
    if (max === undefined)
      at('feasibleSpace.max', `is required for a parameter of type ${spec.parameterType}`);
    if (step === undefined && spec.parameterType === 'double') {
      at('feasibleSpace.step', 'is required for a parameter of type double (the search space is discrete)');
    }
    if (list !== undefined)
      at('feasibleSpace.list', `is not allowed for type ${spec.parameterType}; use min/max/step`);
    if (step !== undefined && step <= 0) at('feasibleSpace.step', `must be greater than 0, got ${step}`);
    if (spec.parameterType === 'int') {
      for (const [key, value] of Object.entries({ min, max, step })) {
        if (value !== undefined && !Number.isInteger(value)) {
          at(`feasibleSpace.${key}`, `must be an integer for type int, got ${value}`);
        }
      }
    }
    if (min !== undefined && max !== undefined && min > max) {
      at('feasibleSpace', `min (${min}) is greater than max (${max})`);
    }
    if (problems.length === 0 && min !== undefined && max !== undefined) {
      const count = Math.floor((max - min) / (step ?? 1) + 1e-9) + 1;
      if (count > MAX_VALUES_PER_PARAMETER) {
        at('feasibleSpace', `has ${count} values (more than ${MAX_VALUES_PER_PARAMETER}); use a larger step`);
      }
    }
    return problems;
  }
  for (const key of ['min', 'max', 'step'] as const) {
    if (spec.feasibleSpace[key] !== undefined) {
      at(`feasibleSpace.${key}`, `is not allowed for type ${spec.parameterType}; use list`);
    }
  }
  if (list === undefined) {
    at('feasibleSpace.list', `is required for a parameter of type ${spec.parameterType}`);
    return problems;
  }
  if (list.length === 0) at('feasibleSpace.list', 'must not be empty');
  const seen = new Map<string, number>();
  list.forEach((value, index) => {
    const key = spec.parameterType === 'discrete' ? String(parseQuantity(value)) : String(value);
    if (spec.parameterType === 'discrete' && parseQuantity(value) === undefined) {
      at(
        `feasibleSpace.list[${index}]`,
        `"${value}" is not a number or quantity; use parameterType categorical for names`,
      );
      return;
    }
    const first = seen.get(key);
    if (first !== undefined) at(`feasibleSpace.list[${index}]`, `duplicates list[${first}] (${list[first]})`);
    else seen.set(key, index);
  });
  return problems;
}

/** The parameter's values in search order (ascending for numeric knobs). Assumes a valid spec. */
export function enumerateValues(spec: ParameterSpec): ParameterValue[] {
  const { min, max, step, list } = spec.feasibleSpace;
  switch (spec.parameterType) {
    case 'int':
    case 'double': {
      const lo = min as number;
      const stride = step ?? 1;
      const count = Math.floor(((max as number) - lo) / stride + 1e-9) + 1;
      // Rounding keeps 0.1 + 0.2 from becoming 0.30000000000000004 in configs and table keys.
      return Array.from({ length: count }, (_, k) => Number((lo + k * stride).toPrecision(12)));
    }
    case 'discrete':
      return [...(list as ParameterValue[])].sort(
        (a, b) => (parseQuantity(a) ?? 0) - (parseQuantity(b) ?? 0),
      );
    case 'categorical':
      return (list as ParameterValue[]).map(String);
  }
}
