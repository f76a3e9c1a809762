import { z } from 'zod';
import { loadSettingsSchema } from '../loadgen/options.js';
import { OBJECTIVE_METRICS } from '../objective/objective.js';
import { PricingSchema } from '../objective/pricing.js';
import { CategorySchema, numberLike, ParameterBodySchema } from '../space/schema.js';

/**
 * An experiment file. The `apiVersion`/`kind`/`metadata`/`spec` shape and the fields `objective`,
 * `algorithm`, `maxNumTrials`, `parallelism`, `tunableParameters`, `requestTemplate`, `clientTemplate`,
 * `servicePodTemplate` and `serviceProgressDeadline` are alibaba/morphling's `ProfilingExperiment`;
 * the rest are Morphling-TS's own. Unknown fields are errors.
 */
export const ExperimentDocumentSchema = z.strictObject({
  apiVersion: z.string().default('tuning.kubedl.io/v1alpha1'),
  kind: z.literal('ProfilingExperiment').default('ProfilingExperiment'),
  metadata: z.strictObject({
    name: z
      .string()
      .max(253)
      .regex(
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
        'must be lower-case letters, digits, "-" or ".", starting and ending with a letter or digit',
      ),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    objective: z
      .strictObject({
        type: z.enum(['maximize', 'minimize']).default('maximize'),
        objectiveMetricName: z.enum(OBJECTIVE_METRICS).default('rps'),
      })
      .default({ type: 'maximize', objectiveMetricName: 'rps' }),
    algorithm: z.strictObject({
      algorithmName: z.string().min(1, 'must not be empty'),
      algorithmSettings: z
        .array(
          z.strictObject({
            name: z.string().min(1, 'must not be empty'),
            value: z.union([z.string(), z.number(), z.boolean()]),
          }),
        )
        .default([]),
    }),
    maxNumTrials: z.int().positive(),
    parallelism: z.int().positive().max(64).default(1),
    tunableParameters: z
      .array(z.strictObject({ category: CategorySchema, parameters: z.array(ParameterBodySchema).min(1) }))
      .min(1),

    // alibaba/morphling fields kept for the Kubernetes runner and for round-tripping their files.
    requestTemplate: z.string().optional(),
    clientTemplate: z.record(z.string(), z.unknown()).optional(),
    servicePodTemplate: z.record(z.string(), z.unknown()).optional(),
    serviceProgressDeadline: numberLike.optional(),

    /** The latency SLO a trial's peak throughput must respect. */
    slo: z
      .strictObject({
        percentile: z.number().gt(0).lt(100).default(99),
        latencyMs: z.number().positive().default(1000),
        maxErrorRate: z.number().min(0).max(1).default(0.01),
      })
      .default({ percentile: 99, latencyMs: 1000, maxErrorRate: 0.01 }),
    pricing: PricingSchema.default(PricingSchema.parse({})),
    constraints: z.strictObject({ maxMemoryMiB: z.number().positive().optional() }).default({}),
    /** Where trials run; `settings` are validated by the named runner. */
    runner: z
      .strictObject({
        name: z.string().default('local'),
        settings: z.record(z.string(), z.unknown()).default({}),
      })
      .default({ name: 'local', settings: {} }),
    /** How to start the serving instance (local and container runners). */
    service: z
      .strictObject({
        /** argv of the server; default: the bundled model server. */
        command: z.array(z.string().min(1)).min(1).optional(),
        /** Zoo model name or path of an ONNX file, for the bundled server. */
        model: z.string().optional(),
        env: z.record(z.string(), z.string()).default({}),
        args: z.array(z.string()).default([]),
        readinessPath: z.string().startsWith('/').default('/v2/health/ready'),
        startTimeoutSeconds: z.number().positive().default(60),
      })
      .optional(),
    /** The stress-test client: the request to send and how the peak search measures. */
    load: loadSettingsSchema.default(loadSettingsSchema.parse({})),
    /** Ends the experiment before the budget is spent. */
    stop: z
      .strictObject({
        /** Stop after this many finished trials in a row without a better objective. */
        noImprovementTrials: z.int().positive().optional(),
        /** Stop once the objective reaches this value. */
        targetObjective: z.number().optional(),
        /** Stop after this many failed trials (infrastructure faults, not infeasible configs). */
        maxFailedTrials: z.int().positive().optional(),
        /** Wall-clock limit of one `run` of the experiment. */
        maxDurationSeconds: z.number().positive().optional(),
      })
      .default({}),
    /** Tries of one trial when it fails for reasons outside its configuration. */
    maxTrialAttempts: z.int().positive().max(10).default(2),
  }),
});

export type ExperimentDocument = z.infer<typeof ExperimentDocumentSchema>;
