import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { openStoreAt } from '../../src/store/open.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { TrialRecord } from '../../src/store/records.js';
import { startMorphling } from '../helpers/cli.js';
import { peakRunningFromEvents, peakRunningFromTimes } from '../helpers/concurrency.js';
import { type PostgresServer, postgresMissing, startPostgres } from '../helpers/postgres-server.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

// Several `morphling worker` processes (the compiled CLI) on one experiment: in a real PostgreSQL, and
// in a SQLite file they share on this machine.
const missing = postgresMissing();
if (missing) console.warn(`worker process tests skipped: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'morphling-worker-cli-'));
writeSyntheticTable(dir);
const finished = (t: TrialRecord) => ['succeeded', 'infeasible', 'failed'].includes(t.status);

/** Stores the experiment as `morphling run` leaves it for workers: created and running. */
async function startExperiment(url: string, name: string, spec: Record<string, unknown>): Promise<string> {
  const document = syntheticExperiment('synthetic.jsonl', spec);
  document.metadata.name = name;
  const experiment = resolveExperiment(document, dir);
  const store = await openStoreAt(url);
  await store.createExperiment({ name, document: experiment.document, baseDir: dir });
  await store.setExperimentStatus(name, 'running');
  await store.close();
  return url;
}

function worker(url: string, experiment: string, id: string, extra: string[] = []) {
  const child = startMorphling([
    'worker',
    '--store',
    url,
    '--experiment',
    experiment,
    '--id',
    id,
    '--poll-ms',
    '50',
    ...extra,
  ]);
  let output = '';
  let onJoin: () => void = () => {};
  const joined = new Promise<void>((resolve) => {
    onJoin = resolve;
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    if (output.includes(`[${id}] joined ${experiment}`)) onJoin();
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({ code, signal, output }));
  return { child, exit, joined };
}

async function inspect(url: string, name: string) {
  const store = await openStoreAt(url);
  try {
    return {
      trials: await store.listTrials(name),
      events: await store.listEvents(name),
      experiment: await store.getExperiment(name),
    };
  } finally {
    await store.close();
  }
}

/** Three workers measure every configuration once and never run more than `parallelism` at once. */
async function threeWorkers(location: string) {
  const url = await startExperiment(location, 'shared', {
    maxNumTrials: 20,
    parallelism: 2,
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 11 }] },
    runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 150 } },
  });
  const exits = await Promise.all(['w1', 'w2', 'w3'].map((id) => worker(url, 'shared', id).exit));
  for (const exit of exits) expect(exit, exit.output).toMatchObject({ code: 0 });

  const { trials, events, experiment } = await inspect(url, 'shared');
  expect(experiment).toMatchObject({ status: 'succeeded', message: 'the budget of 20 trials is spent' });
  expect(trials).toHaveLength(20);
  expect(new Set(trials.map((t) => t.configKey)).size).toBe(20);
  expect(trials.every((t) => finished(t) && t.attempt === 1)).toBe(true);
  const recorded = events.filter((e) => e.type === 'trial-finished').map((e) => e.trialId);
  expect(new Set(recorded).size).toBe(20);
  expect(recorded).toHaveLength(20);
  expect(peakRunningFromEvents(events)).toBe(2);
  expect(peakRunningFromTimes(trials)).toBeLessThanOrEqual(2);
  expect(new Set(trials.map((t) => t.claimedBy)).size).toBeGreaterThanOrEqual(2);
  // Whichever worker saw the end recorded it, once.
  expect(events.filter((e) => e.type === 'experiment-status' && e.data.status === 'succeeded')).toHaveLength(
    1,
  );
}

describe('morphling worker processes', () => {
  it('three workers on one SQLite file measure every configuration exactly once, within parallelism', () =>
    threeWorkers(join(dir, 'shared.db')));
});

describe.skipIf(missing !== undefined)('morphling worker processes on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('three workers measure every configuration exactly once and never run more than parallelism', async () =>
    threeWorkers(await server.createDatabase()));

  it('re-runs the trial of a SIGKILLed worker once its lease expires, with no duplicates', async () => {
    const url = await startExperiment(await server.createDatabase(), 'killed', {
      maxNumTrials: 12,
      parallelism: 3,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 5 }] },
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 700 } },
    });
    const lease = ['--lease-seconds', '1.5'];
    const victim = worker(url, 'killed', 'w1', lease);
    const survivors = ['w2', 'w3'].map((id) => worker(url, 'killed', id, lease));
    // Joined before the kill: a worker that joins later sees at once that w1's process is gone (same
    // machine) and re-queues its trial without waiting for the lease.
    await Promise.all(survivors.map((s) => s.joined));
    const held = await waitForTrialOf(url, 'killed', 'w1', victim.child);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await victim.exit).toMatchObject({ signal: 'SIGKILL' });
    for (const exit of await Promise.all(survivors.map((s) => s.exit)))
      expect(exit, exit.output).toMatchObject({ code: 0 });

    const { trials, events, experiment } = await inspect(url, 'killed');
    expect(experiment?.status).toBe('succeeded');
    expect(trials).toHaveLength(12);
    expect(new Set(trials.map((t) => t.configKey)).size).toBe(12);
    expect(trials.every(finished)).toBe(true);
    const rerun = trials.find((t) => t.id === held.id);
    expect(rerun?.attempt).toBe(2);
    expect(['w2', 'w3']).toContain(rerun?.claimedBy);
    const requeue = events.find((e) => e.type === 'trial-requeued' && e.trialId === held.id);
    expect(requeue?.data.reason).toMatch(/^the lease of worker w1 expired at /);
    // Only once the lease ran out: at least 1.5 s after the claim, and well after the kill (the last
    // heartbeat came a third of the lease, or a loaded machine's delay, before it).
    const requeuedAt = Date.parse(requeue?.at ?? '');
    expect(requeuedAt - Date.parse(held.startedAt ?? '')).toBeGreaterThanOrEqual(1500);
    expect(requeuedAt - killedAt).toBeGreaterThanOrEqual(400);
    const recorded = events.filter((e) => e.type === 'trial-finished').map((e) => e.trialId);
    expect(recorded).toHaveLength(12);
    expect(new Set(recorded).size).toBe(12);
    expect(peakRunningFromEvents(events)).toBeLessThanOrEqual(3);
  });

  /** The first trial `id` has running, once it has one. */
  async function waitForTrialOf(
    url: string,
    name: string,
    id: string,
    child: ChildProcess,
  ): Promise<TrialRecord> {
    const store = await openPostgresStore(url, { poolSize: 1 });
    try {
      for (let waited = 0; waited < 45_000; waited += 50) {
        const trial = (await store.listTrials(name)).find(
          (t) => t.status === 'running' && t.claimedBy === id,
        );
        if (trial) return trial;
        if (child.exitCode !== null) break;
        await sleep(50);
      }
      throw new Error(`worker ${id} never ran a trial of ${name}`);
    } finally {
      await store.close();
    }
  }
});
