import { z } from 'zod';
import {
  BenchListingSchema,
  BenchRunSchema,
  BenchSourceSchema,
  ExperimentBenchReplySchema,
  ExperimentBenchSchema,
} from '../bench/run-schema.js';
import type { ControllerEvent } from '../controller/events.js';
import type { ParameterSpec } from '../space/parameter.js';
import {
  EXPERIMENT_STATUSES,
  type ExperimentRecord,
  type ExperimentSummary,
  TRIAL_STATUSES,
  type TrialRecord,
} from '../store/records.js';

/**
 * The bodies of the HTTP API. Requests are parsed with these at the boundary; responses are the store's
 * typed records, described here for the OpenAPI document (the checks at the end keep both in step).
 * Every schema registered in `components` becomes `#/components/schemas/<id>`.
 */
export const components = z.registry<{ id: string; description?: string }>();

// ---- requests ----

/** Body of `POST /api/experiments/:name/resume` (optional). */
export const ResumeBody = z
  .strictObject({ maxNumTrials: z.int().positive().optional() })
  .register(components, { id: 'ResumeRequest', description: 'raise the budget when resuming' });

export const NameParams = z.object({ name: z.string().min(1) });
export const TrialParams = z.object({
  name: z.string().min(1),
  seq: z.coerce.number<string>().int().positive(),
});
export const DeleteQuery = z.object({ force: z.enum(['true', 'false']).optional() });
/** Query of `GET /api/bench`: only the runs under one objective, on one table. */
export const BenchQuery = z.object({
  objective: z.string().min(1).optional(),
  table: z.string().min(1).optional(),
});
/** `Last-Event-ID` of a reconnecting event stream: the store's id of the last event received. */
export const LastEventId = z.coerce.number<string>().int().min(0).optional();

// ---- responses ----

export const ErrorBody = z
  .object({ error: z.string() })
  .register(components, { id: 'Error', description: 'what went wrong' });

export const Problem = z
  .object({
    path: z.string().describe('field path, e.g. spec.tunableParameters[1].parameters[0].feasibleSpace'),
    message: z.string(),
    line: z.int().positive().optional().describe('1-based line of the field in the submitted text'),
  })
  .register(components, { id: 'Problem' });

export const InvalidExperiment = z
  .object({ error: z.literal('invalid experiment'), problems: z.array(Problem) })
  .register(components, { id: 'InvalidExperiment' });

const ParameterValue = z.union([z.number(), z.string()]);

export const ConfigSchema = z
  .record(z.string(), ParameterValue)
  .register(components, { id: 'Config', description: 'a value for every parameter, by name' });

export const MeasurementSchema = z
  .object({
    rps: z.number(),
    samplesPerSec: z.number().optional(),
    p50Ms: z.number().optional(),
    p90Ms: z.number().optional(),
    p95Ms: z.number().optional(),
    p99Ms: z.number().optional(),
    maxMs: z.number().optional(),
    errorRate: z.number().optional(),
    cpuSeconds: z.number().optional(),
    rssMiB: z.number().optional(),
    gpuMemMiB: z.number().optional(),
  })
  .catchall(z.number().optional())
  .register(components, { id: 'Measurement', description: 'what one trial measured' });

export const ParameterSpecSchema = z
  .object({
    name: z.string(),
    category: z.enum(['resource', 'env', 'args']),
    parameterType: z.enum(['int', 'double', 'discrete', 'categorical']),
    feasibleSpace: z.object({
      min: z.number().optional(),
      max: z.number().optional(),
      step: z.number().optional(),
      list: z.array(ParameterValue).optional(),
    }),
    scale: z.enum(['linear', 'log']).optional(),
  })
  .register(components, { id: 'ParameterSpec' });

export const TrialRecordSchema = z
  .object({
    id: z.int(),
    experiment: z.string(),
    seq: z.int().describe('1, 2, 3, ... within the experiment'),
    config: ConfigSchema,
    configKey: z.string(),
    status: z.enum(TRIAL_STATUSES),
    attempt: z.int(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    objective: z.number().optional(),
    score: z.number().optional().describe('the objective oriented so that larger is better'),
    metrics: MeasurementSchema.optional(),
    errorClass: z.string().optional(),
    errorMessage: z.string().optional(),
    runner: z.string().optional(),
    limits: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    loadCurve: z.array(z.unknown()).optional(),
  })
  .register(components, { id: 'TrialRecord' });

export const ExperimentRecordSchema = z
  .object({
    name: z.string(),
    document: z.unknown().describe('the validated experiment document with defaults applied'),
    baseDir: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    message: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    bestTrialId: z.int().optional(),
  })
  .register(components, { id: 'ExperimentRecord' });

export const ExperimentSummarySchema = ExperimentRecordSchema.extend({
  trialCounts: z.record(z.enum(TRIAL_STATUSES), z.int()),
  bestObjective: z.number().optional(),
}).register(components, { id: 'ExperimentSummary' });

export const Health = z.object({ ok: z.literal(true), version: z.string() }).register(components, {
  id: 'Health',
});

export const ExperimentList = z
  .object({ experiments: z.array(ExperimentSummarySchema) })
  .register(components, { id: 'ExperimentList' });

export const ExperimentCreated = z
  .object({ experiment: ExperimentRecordSchema })
  .register(components, { id: 'ExperimentCreated' });

export const ExperimentDetail = z
  .object({
    experiment: ExperimentRecordSchema,
    summary: z.object({
      spaceSize: z.int(),
      parameters: z.array(ParameterSpecSchema),
      objective: z.object({ metric: z.string(), goal: z.enum(['maximize', 'minimize']) }),
    }),
    best: TrialRecordSchema.optional(),
  })
  .register(components, { id: 'ExperimentDetail' });

export const Validation = z
  .union([
    z.object({
      valid: z.literal(true),
      summary: z.object({
        name: z.string(),
        spaceSize: z.int(),
        algorithm: z.string(),
        runner: z.string(),
        maxNumTrials: z.int(),
      }),
    }),
    z.object({ valid: z.literal(false), problems: z.array(Problem) }),
  ])
  .register(components, { id: 'Validation' });

export const TrialList = z
  .object({ trials: z.array(TrialRecordSchema) })
  .register(components, { id: 'TrialList' });
export const TrialDetail = z.object({ trial: TrialRecordSchema }).register(components, { id: 'TrialDetail' });

/** The `data:` of each server-sent event; its `event:` is the `type`. */
export const ControllerEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('experiment-started'),
      experiment: z.string(),
      resumed: z.boolean(),
      requeued: z.int(),
      finished: z.int(),
    }),
    z.object({ type: z.literal('trial-started'), trial: TrialRecordSchema }),
    z.object({
      type: z.literal('trial-finished'),
      trial: TrialRecordSchema,
      best: TrialRecordSchema.optional(),
      done: z.int(),
      budget: z.int(),
    }),
    z.object({ type: z.literal('trial-requeued'), trial: TrialRecordSchema, reason: z.string() }),
    z.object({
      type: z.literal('experiment-ended'),
      experiment: z.string(),
      status: z.string(),
      message: z.string(),
      best: TrialRecordSchema.optional(),
    }),
  ])
  .register(components, { id: 'ControllerEvent' });

// The bench runs files as the API lists them (their schemas live with the bench, which reads them too).
BenchRunSchema.register(components, { id: 'BenchRun', description: 'one search of one algorithm' });
BenchSourceSchema.register(components, { id: 'BenchSource', description: 'one runs.jsonl file' });
BenchListingSchema.register(components, {
  id: 'BenchListing',
  description: 'the bench runs found under the folders given to `morphling serve --bench`',
});
ExperimentBenchSchema.register(components, { id: 'ExperimentBench' });
ExperimentBenchReplySchema.register(components, { id: 'ExperimentBenchReply' });

// Compile-time checks that every value the API sends fits the schema that documents it.
type Fits<Value, Schema extends z.ZodType> = [Value] extends [z.infer<Schema>] ? true : never;
const _fits: [
  Fits<TrialRecord, typeof TrialRecordSchema>,
  Fits<ExperimentRecord, typeof ExperimentRecordSchema>,
  Fits<ExperimentSummary, typeof ExperimentSummarySchema>,
  Fits<ParameterSpec, typeof ParameterSpecSchema>,
  Fits<ControllerEvent, typeof ControllerEventSchema>,
] = [true, true, true, true, true];
void _fits;
