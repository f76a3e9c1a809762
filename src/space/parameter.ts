import type { Measurement } from '../loadgen/measurement.js';

export type ParameterType = 'int' | 'double' | 'discrete' | 'categorical';
/** Where a knob goes when a serving instance starts (as in alibaba/morphling). */
export type ParameterCategory = 'resource' | 'env' | 'args';
export type ParameterValue = number | string;

/** A tunable parameter as written in a spec or a profile-table header (flattened, with its category). */
export interface ParameterSpec {
  name: string;
  category: ParameterCategory;
  parameterType: ParameterType;
  feasibleSpace: {
    min?: number;
    max?: number;
    step?: number;
    list?: ParameterValue[];
  };
  /** How the knob is encoded for models: `log` for geometric knobs (batch 1..128). Default: detected. */
  scale?: 'linear' | 'log';
}

/** One configuration: a value for every parameter of the space, by parameter name. */
export type Config = Readonly<Record<string, ParameterValue>>;

/** A configuration that was tried, as algorithms see it. */
export interface Observation {
  config: Config;
  status: 'pending' | 'running' | 'succeeded' | 'infeasible' | 'failed';
  /** Objective value as the spec defines it (present only for succeeded trials). */
  value?: number;
  /** The value oriented so that larger is better (`-value` when minimising): what algorithms compare. */
  score?: number;
  metrics?: Measurement;
}
