/**
 * The stress-test client of a trial, as the kubernetes runner's Job runs it inside the cluster
 * (`clientMode: job`): `node dist/runners/kubernetes/load-client.js` in the image scripts/docker-image.sh
 * builds. It runs the same peak search as the controller (controller/measure.ts) against
 * `$MORPHLING_TARGET`, with the load settings and SLO of `$MORPHLING_LOAD` (JSON), and prints one line
 * `{"event":"measurement","measurement":{...}}` that the runner reads from the pod's log.
 * Exit codes: 0 measured, 2 bad input, 1 the load test failed.
 */
import { z } from 'zod';
import { measureInstance } from '../../controller/measure.js';
import { loadSettingsSchema, sloSchema } from '../../loadgen/options.js';
import type { MeasurementLine } from './client-job.js';

const InputSchema = z.object({
  target: z.url(),
  load: loadSettingsSchema,
  slo: sloSchema,
  model: z.string().optional(),
});

async function main(): Promise<number> {
  let input: z.infer<typeof InputSchema>;
  try {
    const load = JSON.parse(process.env.MORPHLING_LOAD ?? '{}') as Record<string, unknown>;
    input = InputSchema.parse({ ...load, target: process.env.MORPHLING_TARGET });
  } catch (error) {
    process.stderr.write(
      `load-client: bad MORPHLING_TARGET or MORPHLING_LOAD: ${(error as Error).message}\n`,
    );
    return 2;
  }
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort(new Error('terminated')));
  const { measurement } = await measureInstance(
    { endpoint: input.target.replace(/\/$/, ''), limits: {}, stop: async () => {} },
    {
      load: input.load,
      baseDir: process.cwd(),
      objective: { slo: input.slo },
      service: input.model ? serviceFor(input.model) : undefined,
    },
    stop.signal,
  );
  const line: MeasurementLine = { event: 'measurement', measurement };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return 0;
}

/** Only `model` matters to the load test (it names the model whose metadata shapes the requests). */
function serviceFor(model: string) {
  return { model, env: {}, args: [], readinessPath: '/v2/health/ready', startTimeoutSeconds: 60 };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`load-client: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
