import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/controller/run-experiment.js';
import { detectCgroupV1 } from '../../src/runners/local/cgroup-v1.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

/** End to end on this machine: real server processes under real limits, a real load test, a real store. */
const FIXTURE = fileURLToPath(new URL('../fixtures/knob-server.mjs', import.meta.url));
const support = await detectCgroupV1();
const dir = mkdtempSync(join(tmpdir(), 'morphling-e2e-'));
let n = 0;

async function run(spec: Record<string, unknown>) {
  const store = await openSqliteStore(join(dir, `e2e-${n++}.db`));
  const experiment = resolveExperiment(
    { metadata: { name: 'e2e' }, spec: { algorithm: { algorithmName: 'grid' }, ...spec } },
    dir,
  );
  try {
    const result = await runExperiment({ store, experiment });
    return { result, events: await store.listEvents('e2e') };
  } finally {
    await store.close();
  }
}

const fixtureSpec = (env: Record<string, string>, memory = ['512Mi']) => ({
  maxNumTrials: 1,
  tunableParameters: [
    {
      category: 'resource',
      parameters: [{ name: 'memory', parameterType: 'discrete', feasibleSpace: { list: memory } }],
    },
  ],
  service: { command: [process.execPath, FIXTURE], env, startTimeoutSeconds: 10 },
  load: { request: { path: '/work', method: 'GET' }, maxLevels: 6 },
  slo: { percentile: 99, latencyMs: 200 },
  runner: { name: 'local' },
});

describe.skipIf(!support.cpu || !support.memory)('experiments with the local runner', () => {
  it('tunes the bundled model server: real peak RPS under the SLO, enforced limits, resource use, load curve', async () => {
    const { result } = await run({
      maxNumTrials: 2,
      tunableParameters: [
        {
          category: 'resource',
          parameters: [{ name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: ['500m'] } }],
        },
        {
          category: 'env',
          parameters: [
            { name: 'MAX_BATCH_SIZE', parameterType: 'discrete', feasibleSpace: { list: [1, 8] } },
          ],
        },
      ],
      service: { model: 'mlp-tiny' },
      slo: { percentile: 99, latencyMs: 50 },
      runner: { name: 'local' },
    });
    expect(result.trials.map((t) => t.status)).toEqual(['succeeded', 'succeeded']);
    for (const trial of result.trials) {
      expect(trial.metrics?.rps).toBeGreaterThan(20);
      expect(trial.metrics?.p99Ms).toBeLessThanOrEqual(50);
      expect(trial.metrics?.cpuSeconds).toBeGreaterThan(0);
      expect(trial.metrics?.rssMiB).toBeGreaterThan(10);
      expect(trial.limits).toMatchObject({ cpuQuotaCores: 0.5, cgroup: 'v1' });
      expect(trial.loadCurve?.length).toBeGreaterThanOrEqual(2);
      expect(trial.objective).toBe(trial.metrics?.rps);
    }
    expect(result.best).toBeDefined();
  });

  it('records a server that crashes under load as failed (retried), not infeasible', async () => {
    const { result, events } = await run(fixtureSpec({ CRASH_AFTER: '100' }));
    const [trial] = result.trials;
    expect(trial).toMatchObject({ status: 'failed', errorClass: 'crash', attempt: 2 });
    expect(trial?.errorMessage).toMatch(/exited with code 4/);
    expect(events.filter((e) => e.type === 'trial-requeued')).toHaveLength(1);
  });

  it('records a server OOM-killed under load as infeasible', async () => {
    const { result } = await run(fixtureSpec({ ALLOC_PER_REQUEST_MIB: '4' }, ['96Mi']));
    expect(result.trials[0]).toMatchObject({ status: 'infeasible', attempt: 1 });
    expect(result.trials[0]?.errorMessage).toMatch(/OOM-killed at its memory limit of 96 MiB/);
  });

  it('records an SLO no load can meet as infeasible, with the reason', async () => {
    const spec = { ...fixtureSpec({}), slo: { percentile: 99, latencyMs: 0.001 } };
    const { result } = await run(spec);
    expect(result.trials[0]).toMatchObject({ status: 'infeasible', attempt: 1 });
    expect(result.trials[0]?.errorMessage).toMatch(/p99 <= 0\.001 ms/);
  });

  it('fails a trial whose server binary is missing, without retrying it', async () => {
    const spec = { ...fixtureSpec({}), service: { command: ['/nonexistent/server'] } };
    const { result } = await run(spec);
    expect(result.trials[0]).toMatchObject({ status: 'failed', errorClass: 'missing-binary', attempt: 1 });
  });

  it('keeps the wait for a quiet machine out of the load test time, and records it', async () => {
    // A bound no machine exceeds: the wait is only its one quiet half second, never a refusal.
    const fixture = fixtureSpec({});
    const quiet = { quietMachine: { maxOtherCpuCores: 1000, waitSeconds: 5 } };
    const { result } = await run({ ...fixture, load: { ...fixture.load, ...quiet } });
    const [trial] = result.trials;
    const metrics = trial?.metrics;
    expect(trial?.status).toBe('succeeded');
    expect(metrics?.quietWaitSeconds).toBeGreaterThanOrEqual(0.5);
    const wall = (Date.parse(trial?.finishedAt ?? '') - Date.parse(trial?.startedAt ?? '')) / 1000;
    const accounted =
      (metrics?.startSeconds ?? 0) + (metrics?.loadTestSeconds ?? 0) + (metrics?.quietWaitSeconds ?? 0);
    expect(accounted).toBeLessThanOrEqual(wall + 0.05);
  });
});
