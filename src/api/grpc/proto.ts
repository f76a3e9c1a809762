import { fileURLToPath } from 'node:url';
import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/**
 * The repository's `proto/` folder. This file sits at the same depth under `src/` (tests, tsx) and
 * under `dist/` (the built CLI), so one relative URL finds it from both.
 */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

export const SUGGESTION_PROTO = 'api/suggestion.proto';
export const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/**
 * How messages look in JavaScript, for the server and for clients alike: field names as in the .proto
 * (snake_case), enums as their names, every field present (proto3 defaults), repeated fields as arrays.
 */
export const LOADER_OPTIONS: Options = {
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
  arrays: true,
  includeDirs: [PROTO_DIR],
};

/** The gRPC objects of one of the .proto files under `proto/`, loaded at runtime. */
export function loadProto(file: string): GrpcObject {
  return loadPackageDefinition(loadSync(file, LOADER_OPTIONS));
}

/** A service's client constructor (its `.service` is the definition a server registers). */
export function serviceConstructor(root: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)?.[part];
  if (typeof node !== 'function') throw new Error(`the loaded .proto files have no service ${path}`);
  return node as ServiceClientConstructor;
}

/** `api.suggestion.Suggestion` and `grpc.health.v1.Health`, as loaded from `proto/`. */
export function suggestionService(): ServiceClientConstructor {
  return serviceConstructor(loadProto(SUGGESTION_PROTO), 'api.suggestion.Suggestion');
}

export function healthService(): ServiceClientConstructor {
  return serviceConstructor(loadProto(HEALTH_PROTO), 'grpc.health.v1.Health');
}

// Messages as the loader options above decode them (every field present).

export interface KeyValue {
  key: string;
  value: string;
}

export type ProtoParameterType = 'UNKNOWN_TYPE' | 'DOUBLE' | 'INT' | 'DISCRETE' | 'CATEGORICAL';

export interface ProtoParameterSpec {
  name: string;
  /** An enum name; a number the .proto does not define arrives as that number. */
  parameter_type: ProtoParameterType | number;
  feasible_space: string[];
}

export interface TrialResult {
  parameter_assignments: KeyValue[];
  object_value: number;
}

export interface SamplingRequest {
  is_first_request: boolean;
  algorithm_name: string;
  algorithm_extra_settings: KeyValue[];
  sampling_number_specified: number;
  required_sampling: number;
  is_maximize: boolean;
  existing_results: TrialResult[];
  parameters: ProtoParameterSpec[];
}

export interface SamplingResponse {
  assignments_set: { key_values: KeyValue[] }[];
}

export interface SamplingValidationRequest {
  algorithm_name: string;
  algorithm_extra_settings: KeyValue[];
  sampling_number_specified: number;
  is_maximize: boolean;
  parameters: ProtoParameterSpec[];
}

export type SamplingValidationResponse = Record<string, never>;
