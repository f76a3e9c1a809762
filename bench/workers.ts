/**
 * Coordination cost of workers sharing one experiment (issue 7):
 * 1. trials per minute with 1, 2 and 4 `morphling worker` processes on the replay runner, every trial a
 *    fixed delay, against the ideal (workers x 60 s / delay), on PostgreSQL and on a shared SQLite file;
 * 2. claim latency (p50/p99) on PostgreSQL with 1, 4 and 16 concurrent claimers (SQLite for reference).
 * Usage: npm run build && npx tsx bench/workers.ts [--delay-ms 250] [--trials 40] [--store postgres://...]
 * Without --store it starts a throwaway PostgreSQL (test/helpers/postgres-server.ts); each measurement
 * gets a new database.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { resolveExperiment } from '../src/spec/resolve.js';
import { openStoreAt } from '../src/store/open.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { Store } from '../src/store/store.js';
import { BIN } from '../test/helpers/cli.js';
import { startPostgres } from '../test/helpers/postgres-server.js';
import { syntheticExperiment, writeSyntheticTable } from '../test/helpers/synthetic-table.js';
import { machineLine, markdownTable } from './lib/markdown.js';

const { values } = parseArgs({
  options: {
    'delay-ms': { type: 'string', default: '250' },
    trials: { type: 'string', default: '40' },
    store: { type: 'string' },
  },
});
const delayMs = Number(values['delay-ms']);
const trialCount = Number(values.trials);
const dir = mkdtempSync(join(tmpdir(), 'bench-workers-'));
writeSyntheticTable(dir);
const server = values.store ? undefined : await startPostgres();
let databases = 0;

/** A new empty store: a database on the PostgreSQL server, or a SQLite file. */
async function freshLocation(kind: 'postgres' | 'sqlite'): Promise<string> {
  if (kind === 'sqlite') return join(dir, `bench-${databases++}.db`);
  if (server) return server.createDatabase();
  // An existing server: one database per measurement, named after the given one.
  const base = new URL(values.store as string);
  const name = `morphling_bench_${process.pid}_${databases++}`;
  const client = new pg.Client(values.store);
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  base.pathname = `/${name}`;
  return base.toString();
}

/** Stores a running experiment for the workers, as `morphling run --slots 0` would. */
async function startExperiment(location: string, parallelism: number): Promise<void> {
  const document = syntheticExperiment('synthetic.jsonl', {
    maxNumTrials: trialCount,
    parallelism,
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 1 }] },
    runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs } },
  });
  const experiment = resolveExperiment(document, dir);
  const store = await openStoreAt(location);
  await store.createExperiment({ name: 'synthetic', document: experiment.document, baseDir: dir });
  await store.setExperimentStatus('synthetic', 'running');
  await store.close();
}

async function throughput(kind: 'postgres' | 'sqlite', workers: number) {
  const location = await freshLocation(kind);
  await startExperiment(location, workers);
  const children = Array.from({ length: workers }, (_, i) =>
    spawn(
      process.execPath,
      [
        BIN,
        'worker',
        '--store',
        location,
        '--experiment',
        'synthetic',
        '--id',
        `w${i + 1}`,
        '--poll-ms',
        '50',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
  const codes = await Promise.all(children.map(async (child) => (await once(child, 'exit'))[0]));
  if (codes.some((code) => code !== 0)) throw new Error(`a worker exited with ${codes.join(', ')}`);
  const store = await openStoreAt(location);
  const trials = await store.listTrials('synthetic');
  await store.close();
  // From the first claim to the last finish, on the store's clock: worker start-up is not coordination.
  const first = Math.min(...trials.map((t) => Date.parse(t.startedAt as string)));
  const last = Math.max(...trials.map((t) => Date.parse(t.finishedAt as string)));
  const perMinute = (trials.length / (last - first)) * 60_000;
  const ideal = (workers * 60_000) / delayMs;
  const distinct = new Set(trials.map((t) => t.configKey)).size;
  return [kind, workers, trials.length, distinct, (last - first) / 1000, perMinute, ideal, perMinute / ideal];
}

/** Claim latency with `claimers` processes' worth of connections claiming at once. */
async function claimLatency(kind: 'postgres' | 'sqlite', claimers: number, claims: number) {
  const location = await freshLocation(kind);
  const setup = await openStoreAt(location);
  await setup.createExperiment({ name: 'e', document: {}, baseDir: '/' });
  await setup.addTrials(
    'e',
    Array.from({ length: claims }, (_, i) => ({ config: { i }, configKey: String(i) })),
  );
  const stores: Store[] = [];
  for (let i = 0; i < claimers; i++)
    stores.push(kind === 'postgres' ? await openPostgresStore(location, { poolSize: 2 }) : setup);
  const latencies: number[] = [];
  await Promise.all(
    stores.map(async (store, i) => {
      const token = `claimer-${i}`;
      for (;;) {
        const started = performance.now();
        const trial = await store.claimTrial('e', {
          worker: token,
          token,
          runner: 'bench',
          parallelism: claims,
          leaseMs: 60_000,
        });
        if (!trial) return;
        latencies.push(performance.now() - started);
        await store.finishTrial(trial.id, { status: 'succeeded', objective: 1, score: 1 }, { token });
      }
    }),
  );
  for (const store of new Set([...stores, setup])) await store.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
  return [kind, claimers, latencies.length, at(0.5), at(0.99)];
}

try {
  console.log(`# Workers sharing one experiment\n\n${await machineLine()}\n`);
  console.log(
    `replay runner, ${delayMs} ms per trial, ${trialCount} trials, random search, parallelism = workers\n`,
  );
  const rows = [];
  for (const kind of ['postgres', 'sqlite'] as const)
    for (const workers of [1, 2, 4]) rows.push(await throughput(kind, workers));
  console.log(
    markdownTable(
      [
        'store',
        'workers',
        'trials',
        'distinct',
        'first claim → last finish s',
        'trials/min',
        'ideal',
        'efficiency',
      ],
      rows,
    ),
  );
  console.log('\nclaim latency (claim + finish in a loop per claimer, until 400 trials are claimed)\n');
  const latency = [];
  for (const claimers of [1, 4, 16]) latency.push(await claimLatency('postgres', claimers, 400));
  latency.push(await claimLatency('sqlite', 1, 400));
  console.log(markdownTable(['store', 'claimers', 'claims', 'p50 ms', 'p99 ms'], latency));
} finally {
  server?.stop();
}
