import { z } from 'zod';
import { SpecError } from '../errors.js';

/**
 * Everything a load test can be told, as zod schemas so that an experiment spec can embed them
 * (`spec.load` is parsed with `loadSettingsSchema`, `spec.slo` matches `sloSchema`).
 *
 * The timing defaults aim at a whole peak search against a small local model server finishing in a few
 * seconds: short windows, a short warm-up, and failing levels abandoned early (see `level.ts`).
 */

/** One model input, as a model's signature declares it; `'N'` or `-1` marks the batch dimension. */
export const inputSignatureSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'int64']),
  shape: z.array(z.union([z.int().nonnegative(), z.literal('N'), z.literal(-1)])),
  /** Half-open range [low, high) of the random values; default [0, 1) for float32, [0, 2) for int64. */
  range: z.tuple([z.number(), z.number()]).optional(),
});
export type InputSignature = z.infer<typeof inputSignatureSchema>;

/** What each request carries. */
export const requestSourceSchema = z.discriminatedUnion('kind', [
  /** A fixed JSON body. */
  z.strictObject({ kind: z.literal('json'), body: z.unknown() }),
  /** The bytes of a template file, sent unchanged. */
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1), contentType: z.string().optional() }),
  /**
   * A KServe v2 / Open Inference Protocol infer body with random (seeded) data for each input: tensors
   * as JSON arrays, or `binary` (the protocol's binary tensor data extension, which Triton and the
   * bundled server speak: a JSON header, then the raw bytes; parsing JSON arrays of numbers otherwise
   * costs a server more than running a small model).
   */
  z.strictObject({
    kind: z.literal('signature'),
    inputs: z.array(inputSignatureSchema).min(1),
    encoding: z.enum(['json', 'binary']).default('json'),
  }),
]);
export type RequestSource = z.infer<typeof requestSourceSchema>;

export const requestSchema = z
  .strictObject({
    path: z.string().startsWith('/').default('/'),
    method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    /** No source: requests have no body. */
    source: requestSourceSchema.optional(),
    /** Samples (batch items) in each request; fills the batch dimension of a signature source. */
    itemsPerRequest: z.int().positive().default(1),
  })
  .superRefine((request, context) => {
    if (request.method === 'GET' && request.source) {
      context.addIssue({ code: 'custom', path: ['source'], message: 'a GET request cannot carry a body' });
    }
    if (request.source?.kind !== 'signature' || request.itemsPerRequest === 1) return;
    request.source.inputs.forEach((input, i) => {
      if (!input.shape.some((dim) => dim === 'N' || dim === -1)) {
        context.addIssue({
          code: 'custom',
          path: ['source', 'inputs', i, 'shape'],
          message: `has no batch dimension ('N' or -1) to hold ${request.itemsPerRequest} items per request`,
        });
      }
    });
  });
export type RequestSettings = z.infer<typeof requestSchema>;

/** A latency percentile bound plus an error-rate bound; the same shape as an experiment's `spec.slo`. */
export const sloSchema = z.strictObject({
  percentile: z.number().gt(0).lt(100).default(99),
  latencyMs: z.number().positive().default(1000),
  maxErrorRate: z.number().min(0).max(1).default(0.01),
});
export type Slo = z.infer<typeof sloSchema>;

/** How one load level is measured: warm-up, then windows until stable. */
export const levelSettingsSchema = z.strictObject({
  /** Arrivals at an exact rate, or a Poisson process with that mean rate. */
  arrival: z.enum(['constant', 'poisson']).default('constant'),
  warmupMs: z.int().nonnegative().default(150),
  /** Stretched at low rates so that a window expects at least 5 requests. */
  windowMs: z.int().min(20).default(150),
  /** Consecutive windows that must agree within `stabilityTolerance` for a level to count as stable. */
  windowsRequired: z.int().min(1).default(3),
  /** A level still unstable after this many windows is reported from its last `windowsRequired` ones. */
  maxWindows: z.int().min(1).default(6),
  /** Relative spread allowed between windows, on throughput and on the SLO percentile. */
  stabilityTolerance: z.number().positive().default(0.1),
  /**
   * Consecutive windows breaking the SLO after which a level is declared failing without waiting for
   * stability: an overloaded level never stabilizes (its queue grows), so waiting only builds backlog.
   */
  failFastWindows: z.int().min(1).default(2),
  /** A request not answered within this time counts as an error (timeout). */
  requestTimeoutMs: z.int().positive().default(5000),
  /** Requests in flight beyond this are not sent but counted as dropped (errors), bounding memory. */
  maxOutstanding: z.int().positive().default(1000),
  /** Keep-alive connections to the target (HTTP/1.1, no pipelining). */
  connections: z.int().positive().default(64),
  /** How long a finished level may wait for its in-flight requests before they are cancelled. */
  drainTimeoutMs: z.int().nonnegative().default(2000),
  seed: z.int().default(1),
});
export type LevelSettings = z.infer<typeof levelSettingsSchema>;

/** How the peak search moves between levels. */
export const searchSettingsSchema = z.strictObject({
  /**
   * Offered rate (requests/s) of the first level. Default: half the rate one request at a time would
   * sustain, from the unloaded probe latency — near the knee for a server without concurrency, so the
   * ramp needs fewer levels than from a fixed start.
   */
  initialRate: z.number().positive().optional(),
  /** The search never offers more than this. */
  maxRate: z.number().positive().default(100_000),
  /** If the initial rate fails, lower rates are tried down to this one before giving up. */
  minRate: z.number().positive().default(1),
  /** Factor between consecutive levels while the SLO still holds. */
  growthFactor: z.number().gt(1).default(2),
  /** Bisection stops once (bad - good) / good is below this. */
  precision: z.number().positive().default(0.05),
  /** Most levels one search may measure. */
  maxLevels: z.int().min(1).default(14),
});
export type SearchSettings = z.infer<typeof searchSettingsSchema>;

/** Limits that only make sense together. */
function checkRanges(settings: LevelSettings & SearchSettings, context: z.RefinementCtx): void {
  if (settings.maxWindows < settings.windowsRequired) {
    context.addIssue({ code: 'custom', path: ['maxWindows'], message: 'must be at least windowsRequired' });
  }
  if (settings.initialRate !== undefined && settings.minRate > settings.initialRate) {
    context.addIssue({ code: 'custom', path: ['minRate'], message: 'must not exceed initialRate' });
  }
  if (settings.initialRate !== undefined && settings.initialRate > settings.maxRate) {
    context.addIssue({ code: 'custom', path: ['initialRate'], message: 'must not exceed maxRate' });
  }
}

/**
 * Guarding measurements against the rest of the machine: other processes on the same cores (a build, a
 * test suite, another tenant) lower the peak a trial finds. Off unless set.
 */
export const quietMachineSchema = z.strictObject({
  /** Most CPU (cores, averaged over the load test) others may use before a trial is measured again. */
  maxOtherCpuCores: z.number().positive(),
  /** How long to wait for the machine to get that quiet before each load test. */
  waitSeconds: z.number().nonnegative().default(600),
});

/** `spec.load`: the request to send and how to measure. The target's base URL comes from the instance. */
export const loadSettingsSchema = z
  .strictObject({
    request: requestSchema.default(requestSchema.parse({})),
    quietMachine: quietMachineSchema.optional(),
    ...levelSettingsSchema.shape,
    ...searchSettingsSchema.shape,
  })
  .superRefine(checkRanges);
export type LoadSettings = z.infer<typeof loadSettingsSchema>;

export const peakSearchOptionsSchema = z
  .strictObject({
    /** e.g. `http://127.0.0.1:8080`; the request path is appended to it. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    slo: sloSchema.default(sloSchema.parse({})),
    ...loadSettingsSchema.shape,
  })
  .superRefine(checkRanges);
export type PeakSearchOptions = z.infer<typeof peakSearchOptionsSchema>;
export type PeakSearchOptionsInput = z.input<typeof peakSearchOptionsSchema>;

/** Parses with `schema`, turning zod issues into a `SpecError` that names each offending field. */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  root: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SpecError(
    parsed.error.issues.map((issue) => ({
      path: [root, ...issue.path.map(String)].filter(Boolean).join('.'),
      message: issue.message,
    })),
  );
}
