import {
  type handleUnaryCall,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Algorithm } from '../../algorithms/algorithm.js';
import { SpecError } from '../../errors.js';
import type { Config } from '../../space/parameter.js';
import {
  parseSamplingRequest,
  parseValidationRequest,
  type SuggestionJob,
  toResponse,
} from './conversion.js';
import type {
  SamplingRequest,
  SamplingResponse,
  SamplingValidationRequest,
  SamplingValidationResponse,
} from './proto.js';
import { formatProblems, RequestError } from './request-error.js';

/** Algorithm instances kept for reuse: an experiment's successive calls load meta-models and priors once. */
const MAX_CACHED_ALGORITHMS = 16;

export interface SuggestionServiceOptions {
  /** One line per call (and per failure); default: silent. */
  log?: (line: string) => void;
}

/**
 * `api.suggestion.Suggestion`: every algorithm of the registry, by `algorithm_name`. Suggestions are
 * computed one call at a time (they are CPU-bound on this one thread anyway, and the meta-model
 * searches share the TensorFlow.js backend), in arrival order.
 */
export class SuggestionService {
  private readonly algorithms = new Map<string, Algorithm>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(options: SuggestionServiceOptions = {}) {
    this.log = options.log ?? (() => undefined);
  }

  /** The response to a GetSuggestions request; rejects with a RequestError for a request it refuses. */
  async getSuggestions(request: SamplingRequest): Promise<SamplingResponse> {
    const job = parseSamplingRequest(request);
    const run = this.queue.then(() => this.suggest(job));
    this.queue = run.catch(() => undefined);
    const configs = await run;
    return toResponse(job.protoSpace, configs);
  }

  /** The (empty) answer when the algorithm, its settings and the parameters (if any) are valid; throws a RequestError otherwise. */
  validate(request: SamplingValidationRequest): SamplingValidationResponse {
    parseValidationRequest(request);
    return {};
  }

  /** The grpc-js handlers of the service. */
  handlers(): UntypedServiceImplementation {
    const GetSuggestions: handleUnaryCall<SamplingRequest, SamplingResponse> = (call, callback) => {
      this.answer('GetSuggestions', call, callback, async (request) => {
        const started = performance.now();
        const response = await this.getSuggestions(request);
        this.log(
          `GetSuggestions ${request.algorithm_name}: ${request.existing_results.length} results, ` +
            `${response.assignments_set.length} of ${request.required_sampling} requested ` +
            `(${Math.round(performance.now() - started)} ms)`,
        );
        return response;
      });
    };
    const ValidateAlgorithmSettings: handleUnaryCall<
      SamplingValidationRequest,
      SamplingValidationResponse
    > = (call, callback) => {
      this.answer('ValidateAlgorithmSettings', call, callback, async (request) => this.validate(request));
    };
    return { GetSuggestions, ValidateAlgorithmSettings };
  }

  private answer<Req, Res>(
    method: string,
    call: ServerUnaryCall<Req, Res>,
    callback: sendUnaryData<Res>,
    body: (request: Req) => Promise<Res>,
  ): void {
    body(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => {
        const { code, details } = toStatus(error);
        this.log(`${method}: ${status[code]}: ${details}`);
        if (code === status.INTERNAL && error instanceof Error && error.stack) this.log(error.stack);
        callback({ code, details });
      },
    );
  }

  private async suggest(job: SuggestionJob): Promise<Config[]> {
    const { space } = job.protoSpace;
    const algorithm = this.algorithm(job);
    let configs: Config[];
    try {
      configs = await algorithm.suggest({ space, history: job.history, count: job.count });
    } catch (error) {
      if (error instanceof SpecError) throw settingFileError(job, error);
      throw error;
    }
    // The algorithm's contract, checked: an answer the controller would run must never repeat a trial.
    const seen = new Set(job.history.map((o) => space.key(o.config)));
    for (const config of configs) {
      if (!space.contains(config)) {
        throw new Error(`algorithm ${job.definition.name} suggested a configuration outside the space`);
      }
      const key = space.key(config);
      if (seen.has(key)) {
        throw new Error(
          `algorithm ${job.definition.name} suggested ${key}, which was already tried or picked`,
        );
      }
      seen.add(key);
    }
    return configs.slice(0, job.count);
  }

  /** An instance per (algorithm, settings, space), least recently used evicted first. */
  private algorithm(job: SuggestionJob): Algorithm {
    const key = JSON.stringify([job.definition.name, job.settingsKey, job.protoSpace.space.toJSON()]);
    let algorithm = this.algorithms.get(key);
    if (algorithm) this.algorithms.delete(key);
    else algorithm = job.definition.create(job.settings);
    this.algorithms.set(key, algorithm);
    while (this.algorithms.size > MAX_CACHED_ALGORITHMS) {
      this.algorithms.delete(this.algorithms.keys().next().value as string);
    }
    return algorithm;
  }
}

/**
 * A SpecError from inside an algorithm means a file its settings name (a meta-model, prior tables) is
 * missing, unreadable or does not fit this space: the server's state, not the request's form, hence
 * FAILED_PRECONDITION, pointing at the setting that names the file.
 */
function settingFileError(job: SuggestionJob, error: SpecError): RequestError {
  return new RequestError(
    status.FAILED_PRECONDITION,
    error.problems.map((problem) => {
      const file = problem.path.split(' ')[0] ?? '';
      const index = job.settingEntries.findIndex((e) => file !== '' && e.value.includes(file));
      const setting = job.settingEntries[index];
      return {
        path: setting
          ? `algorithm_extra_settings[${index}].value (${setting.key})`
          : `algorithm ${job.definition.name}`,
        message: problem.path ? `${problem.path}: ${problem.message}` : problem.message,
      };
    }),
  );
}

/** The gRPC status for an error: a refused request keeps its code, anything else is INTERNAL. */
export function toStatus(error: unknown): { code: status; details: string } {
  if (error instanceof RequestError) return { code: error.code, details: error.message };
  if (error instanceof SpecError)
    return { code: status.INVALID_ARGUMENT, details: formatProblems(error.problems) };
  return { code: status.INTERNAL, details: (error as Error)?.message ?? String(error) };
}
