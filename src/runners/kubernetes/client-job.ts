import { setTimeout as sleep } from 'node:timers/promises';
import { TrialFaultError } from '../../errors.js';
import type { Measurement } from '../../loadgen/measurement.js';
import { outputTail } from '../output-tail.js';
import type { KubeClient } from './api-client.js';
import type { Job } from './kube-types.js';
import { KINDS } from './resources.js';

/** The line a load client prints when it is done (load-client.ts writes it; a custom client may too). */
export interface MeasurementLine {
  event: 'measurement';
  measurement: Measurement;
}

export interface ClientJobRun {
  namespace: string;
  /** Label selector of the Job's pods. */
  pods: string;
  deadlineMs: number;
  pollMs: number;
  signal: AbortSignal;
  /** Checked at every poll: a server that dies under load ends the trial at once (OOM → infeasible). */
  serverProblem: () => Promise<Error | undefined>;
}

/**
 * Creates the stress-test Job and waits for it (`Complete` or `Failed` condition, or the deadline),
 * then reads the measurement from its pod's output: the last line that is a JSON measurement event.
 */
export async function runClientJob(client: KubeClient, job: Job, run: ClientJobRun): Promise<Measurement> {
  const name = job.metadata.name as string;
  await client.create(KINDS.job, run.namespace, job);
  const end = Date.now() + run.deadlineMs;
  for (;;) {
    run.signal.throwIfAborted();
    const problem = await run.serverProblem();
    if (problem) throw problem;
    const status = (await client.get(KINDS.job, run.namespace, name)).status;
    const condition = (type: string) =>
      status?.conditions?.find((c) => c.type === type && c.status === 'True');
    if (condition('Complete') || condition('Failed')) {
      const output = await jobOutput(client, run);
      const measured = condition('Complete') ? measurementIn(output) : undefined;
      if (measured) return measured;
      const failed = condition('Failed');
      const why = failed
        ? `failed (${failed.reason ?? 'Failed'}: ${failed.message ?? ''})`
        : 'printed no measurement';
      throw new TrialFaultError(`the load-test job ${name} ${why}${outputTail(output)}`, 'client-failed');
    }
    if (Date.now() >= end) {
      throw new TrialFaultError(
        `the load-test job ${name} did not finish within ${Math.round(run.deadlineMs / 1000)} s`,
        'client-timeout',
      );
    }
    await sleep(run.pollMs, undefined, { signal: run.signal });
  }
}

async function jobOutput(client: KubeClient, run: ClientJobRun): Promise<string> {
  const pods = await client.list(KINDS.pod, run.namespace, run.pods);
  const latest = pods.sort((a, b) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
  );
  const pod = latest.at(-1)?.metadata.name;
  return pod ? client.podLogs(run.namespace, pod, { tailLines: 200 }).catch(() => '') : '';
}

/** The measurement of the last `{"event":"measurement",...}` line, if any. */
function measurementIn(output: string): Measurement | undefined {
  for (const line of output.trim().split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<MeasurementLine>;
      if (parsed.event === 'measurement' && typeof parsed.measurement?.rps === 'number')
        return parsed.measurement;
    } catch {
      // Not a JSON line.
    }
  }
  return undefined;
}
