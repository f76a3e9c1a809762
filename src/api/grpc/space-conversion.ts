import { SpecError, type SpecProblem } from '../../errors.js';
import type { ParameterSpec, ParameterType, ParameterValue } from '../../space/parameter.js';
import { enumerateValues, parameterProblems } from '../../space/parameter-values.js';
import { parseQuantity } from '../../space/quantity.js';
import { type Parameter, SearchSpace } from '../../space/search-space.js';
import { didYouMean } from '../../spec/problems.js';
import type { ProtoParameterSpec } from './proto.js';
import { invalidArgument } from './request-error.js';

const PROTO_TYPES: Readonly<Record<string, ParameterType>> = {
  INT: 'int',
  DOUBLE: 'double',
  DISCRETE: 'discrete',
  CATEGORICAL: 'categorical',
};

/** A plain decimal number, as the controller writes int and double values (`4`, `0.5`, `1e+02`). */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The request's parameters as our search space, plus each value's spelling in the request: answers
 * must use the controller's own strings (`"0.50"` stays `"0.50"`, `"1Gi"` stays `"1Gi"`).
 */
export class ProtoSpace {
  private constructor(
    readonly space: SearchSpace,
    /** Per parameter, aligned with `Parameter.values`: the request's string for that value. */
    private readonly spelled: ReadonlyMap<string, readonly string[]>,
  ) {}

  /**
   * Converts `parameters` (the request field, for messages: `parameters[i]...`). Throws a RequestError
   * (INVALID_ARGUMENT) listing every problem.
   */
  static fromRequest(parameters: readonly ProtoParameterSpec[], field = 'parameters'): ProtoSpace {
    const problems: SpecProblem[] = [];
    const specs: ParameterSpec[] = [];
    const strings: string[][] = [];
    const firstByName = new Map<string, number>();
    if (parameters.length === 0) problems.push({ path: field, message: 'must list at least one parameter' });
    parameters.forEach((parameter, i) => {
      const at = `${field}[${i}]`;
      const name = parameter.name;
      if (name.trim() === '') problems.push({ path: `${at}.name`, message: 'must not be empty' });
      else if (firstByName.has(name)) {
        problems.push({
          path: `${at}.name`,
          message: `duplicates the name of ${field}[${firstByName.get(name)}] ("${name}")`,
        });
      } else firstByName.set(name, i);
      const type =
        typeof parameter.parameter_type === 'string' ? PROTO_TYPES[parameter.parameter_type] : undefined;
      if (!type) {
        problems.push({
          path: `${at}.parameter_type`,
          message: `must be one of ${Object.keys(PROTO_TYPES).join(', ')}; got ${JSON.stringify(parameter.parameter_type)}`,
        });
        return;
      }
      const converted = convertParameter(
        name,
        type,
        parameter.feasible_space,
        `${at}.feasible_space`,
        problems,
      );
      if (converted) {
        specs.push(converted.spec);
        strings.push(converted.spelled);
      }
    });
    if (problems.length > 0) throw invalidArgument(problems);
    let space: SearchSpace;
    try {
      space = new SearchSpace(specs);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      // Paths are relative to the spec list (`[2].feasibleSpace`): point them at the request field.
      throw invalidArgument(
        error.problems.map((p) => {
          const index = /^\[(\d+)\]/.exec(p.path)?.[1];
          return {
            path: index === undefined ? field : `${field}[${index}].feasible_space`,
            message: p.message,
          };
        }),
      );
    }
    const spelled = new Map<string, readonly string[]>();
    space.parameters.forEach((p, i) => {
      const originals = strings[i] as string[];
      spelled.set(
        p.name,
        p.values.map((value) => originals.find((s) => sameValue(p, s, value)) ?? String(value)),
      );
    });
    return new ProtoSpace(space, spelled);
  }

  /** The space's value of parameter `p` that the request string denotes, or undefined if none. */
  valueOf(p: Parameter, text: string): ParameterValue | undefined {
    return p.values.find((value) => sameValue(p, text, value));
  }

  /** The request's spelling of a value of the space. */
  spell(name: string, value: ParameterValue): string {
    const p = this.space.parameter(name) as Parameter;
    const index = p.values.findIndex((v) => sameValue(p, String(value), v));
    return this.spelled.get(name)?.[index] ?? String(value);
  }

  /** Why a key of an assignment names no parameter (with a did-you-mean). */
  unknownParameter(key: string): string {
    const names = this.space.parameters.map((p) => p.name);
    return `unknown parameter "${key}"${didYouMean(key, names)}; the parameters are ${names.join(', ')}`;
  }
}

/** Whether a request string and a value of the space are the same value (by magnitude for numbers). */
function sameValue(p: Parameter, text: string, value: ParameterValue): boolean {
  if (!p.magnitudes) return text === String(value);
  const a = parseQuantity(text);
  const b = parseQuantity(value);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/**
 * One request parameter as our ParameterSpec. Numeric values are parsed and checked; repeated values
 * (the controller's `%.2g` can print two doubles alike) are kept once. An int or double list that is an
 * evenly spaced range becomes min/max/step, anything else a `discrete` list of the same values.
 */
function convertParameter(
  name: string,
  type: ParameterType,
  feasibleSpace: readonly string[],
  at: string,
  problems: SpecProblem[],
): { spec: ParameterSpec; spelled: string[] } | undefined {
  if (feasibleSpace.length === 0) {
    problems.push({ path: at, message: 'must list at least one value' });
    return undefined;
  }
  const before = problems.length;
  const unique: { text: string; magnitude: number }[] = [];
  const seen = new Set<string>();
  feasibleSpace.forEach((text, j) => {
    const magnitude = parseValue(type, text);
    if (typeof magnitude === 'string') {
      problems.push({ path: `${at}[${j}]`, message: magnitude });
      return;
    }
    const key = type === 'categorical' ? text : String(magnitude);
    if (seen.has(key)) return;
    seen.add(key);
    unique.push({ text, magnitude });
  });
  if (problems.length > before) return undefined;
  const spelled = unique.map((u) => u.text);
  const list = (parameterType: ParameterType): ParameterSpec => ({
    name,
    category: 'resource',
    parameterType,
    feasibleSpace: { list: spelled },
  });
  if (type === 'categorical' || type === 'discrete') return { spec: list(type), spelled };
  return {
    spec:
      asRange(
        name,
        type,
        unique.map((u) => u.magnitude),
      ) ?? list('discrete'),
    spelled,
  };
}

/** The value's magnitude, or why it is not a value of this parameter type. */
function parseValue(type: ParameterType, text: string): number | string {
  if (type === 'categorical') return 0;
  if (type === 'discrete') {
    const magnitude = parseQuantity(text);
    return magnitude === undefined
      ? `${JSON.stringify(text)} is not a number or quantity (use CATEGORICAL for names)`
      : magnitude;
  }
  const magnitude = PLAIN_NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(magnitude)) return `${JSON.stringify(text)} is not a number`;
  if (type === 'int' && !Number.isSafeInteger(magnitude)) return `${JSON.stringify(text)} is not an integer`;
  return magnitude;
}

/** min/max/step when the values are exactly an evenly spaced range, else undefined. */
function asRange(name: string, type: 'int' | 'double', values: readonly number[]): ParameterSpec | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  const step = sorted.length > 1 ? (max - min) / (sorted.length - 1) : 1;
  const spec: ParameterSpec = {
    name,
    category: 'resource',
    parameterType: type,
    feasibleSpace: { min, max, step: Number(step.toPrecision(12)) },
  };
  if (parameterProblems(spec).length > 0) return undefined;
  const range = enumerateValues(spec) as number[];
  const same =
    range.length === sorted.length &&
    range.every((v, k) => Math.abs(v - (sorted[k] as number)) <= 1e-9 * Math.max(1, Math.abs(v)));
  return same ? spec : undefined;
}
