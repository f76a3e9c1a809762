import { fileURLToPath } from 'node:url';
import { type Client, credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * Test clients built straight from the repository's .proto files with proto-loader and grpc-js, the way
 * any other client of the service would be (not through the server's own loading code).
 */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

function load(file: string): Record<string, unknown> {
  return loadPackageDefinition(
    loadSync(file, {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      enums: String,
      longs: Number,
      defaults: true,
      arrays: true,
    }),
  ) as Record<string, unknown>;
}

type Constructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

function service(root: Record<string, unknown>, path: string): Constructor {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as Constructor;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface ParameterSpec {
  name: string;
  parameter_type: string | number;
  feasible_space: string[];
}

export interface TrialResult {
  parameter_assignments: KeyValue[];
  object_value: number;
}

export interface SamplingRequest {
  is_first_request?: boolean;
  algorithm_name: string;
  algorithm_extra_settings?: KeyValue[];
  sampling_number_specified?: number;
  required_sampling: number;
  is_maximize?: boolean;
  existing_results?: TrialResult[];
  parameters: ParameterSpec[];
}

export interface ValidationRequest {
  algorithm_name: string;
  algorithm_extra_settings?: KeyValue[];
  sampling_number_specified?: number;
  is_maximize?: boolean;
  parameters?: ParameterSpec[];
}

export type Assignment = Record<string, string>;

/** A unary call's outcome: the response, or the gRPC error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

export class SuggestionClient {
  private readonly suggestion: Client;
  private readonly health: Client;

  constructor(address: string) {
    const Suggestion = service(load('api/suggestion.proto'), 'api.suggestion.Suggestion');
    const Health = service(load('grpc/health/v1/health.proto'), 'grpc.health.v1.Health');
    this.suggestion = new Suggestion(address, credentials.createInsecure());
    this.health = new Health(address, credentials.createInsecure());
  }

  getSuggestions(
    request: SamplingRequest,
  ): Promise<Outcome<{ assignments_set: { key_values: KeyValue[] }[] }>> {
    return call(this.suggestion, 'GetSuggestions', request);
  }

  /** The assignments as `{name: value}` records (and a check that no key repeats within one). */
  async suggest(request: SamplingRequest): Promise<Assignment[]> {
    const outcome = await this.getSuggestions(request);
    if (!outcome.ok) throw new Error(`GetSuggestions failed: ${outcome.error.code} ${outcome.error.details}`);
    return outcome.value.assignments_set.map(({ key_values }) => {
      const assignment: Assignment = {};
      for (const { key, value } of key_values) {
        if (Object.hasOwn(assignment, key)) throw new Error(`key ${key} assigned twice`);
        assignment[key] = value;
      }
      return assignment;
    });
  }

  validate(request: ValidationRequest): Promise<Outcome<Record<string, never>>> {
    return call(this.suggestion, 'ValidateAlgorithmSettings', request);
  }

  check(serviceName: string): Promise<Outcome<{ status: string }>> {
    return call(this.health, 'Check', { service: serviceName });
  }

  close(): void {
    this.suggestion.close();
    this.health.close();
  }
}

function call<T>(client: Client, method: string, request: unknown): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method] as (
      ...args: unknown[]
    ) => void;
    fn.call(client, request, { deadline: Date.now() + 60_000 }, (error: ServiceError | null, value: T) =>
      resolve(error ? { ok: false, error } : { ok: true, value }),
    );
  });
}

/** Existing results for assignments, each scored by `objective`. */
export function results(
  assignments: readonly Assignment[],
  objective: (a: Assignment) => number,
): TrialResult[] {
  return assignments.map((a) => ({
    parameter_assignments: Object.entries(a).map(([key, value]) => ({ key, value })),
    object_value: objective(a),
  }));
}
