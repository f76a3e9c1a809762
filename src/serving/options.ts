import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SpecError } from '../errors.js';
import { isZooModel, listModels } from '../zoo/index.js';

/** Every knob with its environment variable and command-line flag; a flag wins over the variable. */
const KNOBS = {
  modelPath: { env: 'MODEL_PATH', flag: 'model-path' },
  modelName: { env: 'MODEL_NAME', flag: 'model' },
  modelCacheDir: { env: 'MODEL_CACHE_DIR', flag: 'model-cache-dir' },
  host: { env: 'HOST', flag: 'host' },
  port: { env: 'PORT', flag: 'port' },
  maxBatchSize: { env: 'MAX_BATCH_SIZE', flag: 'max-batch-size' },
  batchDelayMs: { env: 'BATCH_DELAY_MS', flag: 'batch-delay-ms' },
  intraOpThreads: { env: 'INTRA_OP_THREADS', flag: 'intra-op-threads' },
  intraOpSpinning: { env: 'INTRA_OP_SPINNING', flag: 'intra-op-spinning' },
  instances: { env: 'INSTANCES', flag: 'instances' },
} as const;

type Knob = keyof typeof KNOBS;

/** Accepts a number or its decimal text (environment variables and flags are text). */
function numeric(kind: 'integer' | 'number', min: number, max: number) {
  const text = kind === 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)$/;
  const base = kind === 'integer' ? z.number().int(`must be an integer`) : z.number();
  return z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(text, `must be ${kind === 'integer' ? 'an integer' : 'a number'}`),
    ])
    .transform(Number)
    .pipe(base.min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));
}

const optionsSchema = z
  .object({
    modelPath: z.string().min(1).optional(),
    modelName: z.string().min(1).optional(),
    modelCacheDir: z.string().min(1).default(path.join(tmpdir(), 'morphling-zoo')),
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 asks the OS for a free port. */
    port: numeric('integer', 0, 65535).default(8080),
    /** Most samples merged into one model run; 1 turns batching off. */
    maxBatchSize: numeric('integer', 1, 4096).default(1),
    /** How long the first queued request waits for others to join its batch. */
    batchDelayMs: numeric('number', 0, 60_000).default(0),
    /** onnxruntime threads per operator in each instance; 0 = onnxruntime's default (one per core). */
    intraOpThreads: numeric('integer', 0, 256).default(1),
    /**
     * 1 lets idle onnxruntime pool threads spin-wait for work (onnxruntime's own default). Off here:
     * under a CPU quota a spinning thread burns the quota the working one needs, and two threads at
     * 250m measured 58 and 24 rps in two runs of the same configuration.
     */
    intraOpSpinning: numeric('integer', 0, 1).default(0),
    /** Model instances (sessions, each in its own thread) running batches concurrently. */
    instances: numeric('integer', 1, 64).default(1),
  })
  // `--model x.onnx` is taken as a path, so a single "zoo name or ONNX file" setting can feed `--model`.
  .transform((options) =>
    options.modelPath === undefined && options.modelName?.endsWith('.onnx')
      ? { ...options, modelPath: options.modelName, modelName: undefined }
      : options,
  )
  .superRefine((options, context) => {
    if (options.modelPath === undefined && options.modelName === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['modelName'],
        message: 'give a model file path or a zoo model name',
      });
    } else if (options.modelPath === undefined && !isZooModel(options.modelName ?? '')) {
      const message = `'${options.modelName}' is neither a zoo model (${listModels().join(', ')}) nor an .onnx file`;
      context.addIssue({ code: 'custom', path: ['modelName'], message });
    }
  });

/**
 * Resolved server settings. With only `modelName`, the zoo model of that name is built into `modelCacheDir`
 * (a `modelName` ending in `.onnx` is taken as `modelPath`); with `modelPath`, that file is served under
 * `modelName`, or under its file name without `.onnx`.
 */
export type ServerOptions = z.output<typeof optionsSchema>;
export type ServerOptionsInput = z.input<typeof optionsSchema>;

function knobLabel(knob: string): string {
  const names = KNOBS[knob as Knob];
  return names ? `--${names.flag} (${names.env})` : knob;
}

/** Validates settings and fills defaults; throws `SpecError` naming each bad knob by flag and variable. */
export function parseServerOptions(input: ServerOptionsInput): ServerOptions {
  const parsed = optionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SpecError(
    parsed.error.issues.map((issue) => ({
      path: knobLabel(String(issue.path[0] ?? '')),
      message: issue.message,
    })),
  );
}

/** Reads the knobs from environment variables, then command-line flags, which override them. */
export function optionsFromProcess(argv: readonly string[], env: NodeJS.ProcessEnv): ServerOptions {
  const knobs = Object.entries(KNOBS) as Array<[Knob, (typeof KNOBS)[Knob]]>;
  let flags: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(knobs.map(([, { flag }]) => [flag, { type: 'string' as const }]));
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as typeof flags;
  } catch (error) {
    throw new SpecError([{ path: 'arguments', message: (error as Error).message }]);
  }
  const input: Record<string, string> = {};
  for (const [knob, { env: variable, flag }] of knobs) {
    const value = flags[flag] ?? env[variable];
    if (value !== undefined && value !== '') input[knob] = value;
  }
  return parseServerOptions(input as ServerOptionsInput);
}
