import { SpecError } from '../errors.js';
import type { Config, ParameterCategory, ParameterSpec, ParameterType, ParameterValue } from './parameter.js';
import { enumerateValues, parameterProblems } from './parameter-values.js';
import { parseQuantity } from './quantity.js';

/** Spaces larger than this cannot be scored exhaustively by the model-based algorithms. */
export const MAX_SPACE_SIZE = 5_000_000;

export interface Parameter {
  readonly name: string;
  readonly category: ParameterCategory;
  readonly type: ParameterType;
  readonly spec: ParameterSpec;
  /** All values, in search order: ascending magnitude for numeric knobs, list order for categorical. */
  readonly values: readonly ParameterValue[];
  /** Numeric magnitude of each value (cores for `500m`); undefined for categorical knobs. */
  readonly magnitudes?: readonly number[];
  /** How the knob maps to the unit interval: `log` for geometric knobs such as batch size 1..128. */
  readonly scale: 'linear' | 'log' | 'one-hot';
}

/**
 * The discrete search space: an immutable value built once from validated parameter specs.
 * Index order is mixed-radix with the last parameter varying fastest, so `configAt(0..size-1)` is the
 * grid in nested-loop order. The unit-cube encoding is the single one every model-based algorithm uses.
 */
export class SearchSpace {
  readonly parameters: readonly Parameter[];
  readonly size: number;
  /** Length of an encoded vector: one per numeric knob plus one per categorical value (one-hot). */
  readonly dimension: number;
  private readonly byName: ReadonlyMap<string, Parameter>;

  constructor(specs: readonly ParameterSpec[]) {
    const problems = specs.flatMap((spec, index) =>
      parameterProblems(spec).map((p) => ({ path: `[${index}].${p.path}`, message: p.message })),
    );
    const names = new Map<string, number>();
    specs.forEach((spec, index) => {
      const first = names.get(spec.name);
      if (first !== undefined) {
        problems.push({
          path: `[${index}].name`,
          message: `duplicates the name of parameter [${first}] ("${spec.name}")`,
        });
      } else names.set(spec.name, index);
    });
    if (specs.length === 0)
      problems.push({ path: '', message: 'a search space needs at least one parameter' });
    if (problems.length > 0) throw new SpecError(problems);

    this.parameters = Object.freeze(specs.map(buildParameter));
    this.byName = new Map(this.parameters.map((p) => [p.name, p]));
    this.size = this.parameters.reduce((size, p) => size * p.values.length, 1);
    if (this.size > MAX_SPACE_SIZE) {
      throw new SpecError([
        { path: '', message: `the space has ${this.size} configurations (limit ${MAX_SPACE_SIZE})` },
      ]);
    }
    this.dimension = this.parameters.reduce((d, p) => d + (p.scale === 'one-hot' ? p.values.length : 1), 0);
    Object.freeze(this);
  }

  parameter(name: string): Parameter | undefined {
    return this.byName.get(name);
  }

  /** The configuration at a grid index (0 <= index < size). */
  configAt(index: number): Config {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`config index ${index} is outside 0..${this.size - 1}`);
    }
    const config: Record<string, ParameterValue> = {};
    let rest = index;
    for (let i = this.parameters.length - 1; i >= 0; i--) {
      const p = this.parameters[i] as Parameter;
      config[p.name] = p.values[rest % p.values.length] as ParameterValue;
      rest = Math.floor(rest / p.values.length);
    }
    return this.ordered(config);
  }

  /** The grid index of a configuration; throws if it is not in the space. */
  indexOf(config: Config): number {
    let index = 0;
    for (const p of this.parameters) index = index * p.values.length + this.valueIndex(p, config[p.name]);
    return index;
  }

  /** Whether every knob has a value of the space (and no unknown knobs are present). */
  contains(config: Config): boolean {
    return this.canonicalOrUndefined(config) !== undefined;
  }

  /**
   * The configuration with each value replaced by the space's own spelling: `0.5` and `"500m"` are the
   * same CPU value, `"8"` and `8` the same batch size. Throws a RangeError naming the knob otherwise.
   */
  canonical(config: Readonly<Record<string, unknown>>): Config {
    const extra = Object.keys(config).filter((name) => !this.byName.has(name));
    if (extra.length > 0) throw new RangeError(`unknown parameter(s): ${extra.join(', ')}`);
    const result: Record<string, ParameterValue> = {};
    for (const p of this.parameters)
      result[p.name] = p.values[this.valueIndex(p, config[p.name])] as ParameterValue;
    return result;
  }

  /** A stable string identifying a configuration (same for every spelling of the same values). */
  key(config: Config): string {
    return JSON.stringify(this.parameters.map((p) => p.values[this.valueIndex(p, config[p.name])]));
  }

  /** Every configuration, in grid order. */
  *configs(): Generator<Config> {
    for (let i = 0; i < this.size; i++) yield this.configAt(i);
  }

  /** The configuration as a point of the unit cube (numeric knobs scaled, categorical knobs one-hot). */
  encode(config: Config): number[] {
    const vector: number[] = [];
    for (const p of this.parameters) {
      const index = this.valueIndex(p, config[p.name]);
      if (p.scale === 'one-hot') {
        for (let k = 0; k < p.values.length; k++) vector.push(k === index ? 1 : 0);
      } else vector.push(unitPosition(p, index));
    }
    return vector;
  }

  /** The configuration nearest to a point of the unit cube (the inverse of `encode` on its image). */
  decode(vector: readonly number[]): Config {
    if (vector.length !== this.dimension) {
      throw new RangeError(
        `vector has ${vector.length} components, the space has dimension ${this.dimension}`,
      );
    }
    const config: Record<string, ParameterValue> = {};
    let offset = 0;
    for (const p of this.parameters) {
      let best = 0;
      if (p.scale === 'one-hot') {
        for (let k = 1; k < p.values.length; k++)
          if ((vector[offset + k] ?? 0) > (vector[offset + best] ?? 0)) best = k;
        offset += p.values.length;
      } else {
        const target = vector[offset] ?? 0;
        for (let k = 1; k < p.values.length; k++) {
          if (Math.abs(unitPosition(p, k) - target) < Math.abs(unitPosition(p, best) - target)) best = k;
        }
        offset += 1;
      }
      config[p.name] = p.values[best] as ParameterValue;
    }
    return config;
  }

  /** Configurations one step away: the adjacent value of one numeric knob, or another value of one categorical knob. */
  neighbours(config: Config): Config[] {
    const base = this.canonical(config);
    const result: Config[] = [];
    for (const p of this.parameters) {
      const index = this.valueIndex(p, base[p.name]);
      const candidates =
        p.scale === 'one-hot' ? p.values.map((_, k) => k).filter((k) => k !== index) : [index - 1, index + 1];
      for (const k of candidates) {
        if (k >= 0 && k < p.values.length) result.push({ ...base, [p.name]: p.values[k] as ParameterValue });
      }
    }
    return result;
  }

  /** The flattened parameter specs this space was built from (round-trips through JSON). */
  toJSON(): ParameterSpec[] {
    return this.parameters.map((p) => p.spec);
  }

  private ordered(config: Record<string, ParameterValue>): Config {
    const result: Record<string, ParameterValue> = {};
    for (const p of this.parameters) result[p.name] = config[p.name] as ParameterValue;
    return result;
  }

  private canonicalOrUndefined(config: Config): Config | undefined {
    try {
      return this.canonical(config);
    } catch {
      return undefined;
    }
  }

  private valueIndex(p: Parameter, value: unknown): number {
    if (value === undefined || value === null) throw new RangeError(`parameter "${p.name}" has no value`);
    if (p.magnitudes) {
      const magnitude =
        typeof value === 'number' || typeof value === 'string' ? parseQuantity(value) : undefined;
      if (magnitude !== undefined) {
        const index = p.magnitudes.findIndex(
          (m) => Math.abs(m - magnitude) <= 1e-9 * Math.max(1, Math.abs(m)),
        );
        if (index >= 0) return index;
      }
    } else {
      const index = p.values.indexOf(String(value));
      if (index >= 0) return index;
    }
    throw new RangeError(`parameter "${p.name}": ${JSON.stringify(value)} is not one of its values`);
  }
}

function buildParameter(spec: ParameterSpec): Parameter {
  const values = Object.freeze(enumerateValues(spec));
  const base = { name: spec.name, category: spec.category, type: spec.parameterType, spec, values };
  if (spec.parameterType === 'categorical') return Object.freeze({ ...base, scale: 'one-hot' });
  const magnitudes = Object.freeze(values.map((v) => parseQuantity(v) as number));
  const scale = spec.scale ?? (isGeometric(magnitudes) ? 'log' : 'linear');
  return Object.freeze({ ...base, magnitudes, scale });
}

/** Positive values spanning at least 8x with roughly constant ratios (1, 2, 4, ..., 128). */
function isGeometric(magnitudes: readonly number[]): boolean {
  if (magnitudes.length < 3 || (magnitudes[0] as number) <= 0) return false;
  const first = magnitudes[0] as number;
  const last = magnitudes[magnitudes.length - 1] as number;
  if (last / first < 8) return false;
  const ratios = magnitudes.slice(1).map((m, i) => Math.log(m / (magnitudes[i] as number)));
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  return ratios.every((r) => Math.abs(r - mean) <= 0.25 * mean);
}

function unitPosition(p: Parameter, index: number): number {
  const m = p.magnitudes as readonly number[];
  const transform = p.scale === 'log' ? Math.log : (x: number) => x;
  const lo = transform(m[0] as number);
  const hi = transform(m[m.length - 1] as number);
  return hi === lo ? 0 : (transform(m[index] as number) - lo) / (hi - lo);
}
