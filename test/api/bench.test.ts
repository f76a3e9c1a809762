import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestWithin } from '../../src/bench/metrics.js';
import { BenchListingSchema, ExperimentBenchReplySchema } from '../../src/bench/run-schema.js';
import { resolveExperiment } from '../../src/spec/index.js';
import { normaliseConvergence } from '../../src/ui/bench-data.js';
import { convergence } from '../../src/ui/data.js';
import { runSmallBench, SMALL_BENCH } from '../helpers/bench-runs.js';
import { morphling, startMorphling } from '../helpers/cli.js';
import { syntheticExperiment, syntheticRows } from '../helpers/synthetic-table.js';
import { call, dir, experimentYaml, startServer, type TestServer, table, waitFor } from './helpers.js';

/**
 * `GET /api/bench` and `GET /api/experiments/:name/bench` over real HTTP, on the runs.jsonl of a real
 * small `morphling bench` over the SYNTHETIC test table (model "synthetic") and two synthetic ones.
 */
const benchDir = join(dir, 'bench');
const RUNS_PER_OBJECTIVE =
  SMALL_BENCH.tables * (SMALL_BENCH.seeds * 2 + 1); /* bo and random per seed, grid once, per table */

let server: TestServer;
let runsFile: string;

beforeAll(async () => {
  runsFile = runSmallBench(join(benchDir, 'small'), table);
  // A hand-edited file next to it: one good line (a run copied from the real file), two bad ones.
  const good = readFileSync(runsFile, 'utf8').split('\n')[0] as string;
  mkdirSync(join(benchDir, 'edited'), { recursive: true });
  writeFileSync(
    join(benchDir, 'edited', 'runs.jsonl'),
    `${good.replace('"algorithm":"bo"', '"algorithm":"bo-edited"')}\n{"objective": "rps", oops\n\n${JSON.stringify({ ...JSON.parse(good), curve: 'none' })}\n`,
  );
  server = await startServer({ bench: [benchDir] });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('GET /api/bench', () => {
  it('lists every run of every runs.jsonl under the folder, with the bad lines of each file', async () => {
    const reply = await call(`${server.url}/api/bench`);
    expect(reply.status).toBe(200);
    const listing = BenchListingSchema.parse(reply.json);
    expect(listing.sources.map((s) => [s.path.replace(/^.*\/bench\//, ''), s.runs, s.invalid])).toEqual([
      ['edited/runs.jsonl', 1, 2],
      ['small/runs.jsonl', 2 * RUNS_PER_OBJECTIVE, 0],
    ]);
    expect(listing.sources[0]?.problems).toEqual([
      { line: 2, message: expect.stringMatching(/^not JSON: /) },
      { line: 4, message: expect.stringMatching(/^curve: /) },
    ]);
    const small = listing.runs.filter((r) => r.source === 1);
    expect(new Set(small.map((r) => r.algorithm))).toEqual(new Set(SMALL_BENCH.algorithms));
    expect(new Set(small.map((r) => r.table))).toEqual(new Set(['synthetic', 'synthetic-0', 'synthetic-1']));
    // The runs are the file's lines as the bench wrote them.
    const written = readFileSync(runsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(small.map(({ source: _, ...run }) => run)).toEqual(written);
  });

  it('filters by objective and table, and rejects an empty filter', async () => {
    const reply = await call(`${server.url}/api/bench?objective=rps&table=synthetic`);
    expect(reply.status).toBe(200);
    expect(reply.json.runs).toHaveLength(SMALL_BENCH.seeds * 2 + 1 + 1); // + the edited file's copy
    for (const run of reply.json.runs) expect(run).toMatchObject({ objective: 'rps', table: 'synthetic' });
    expect((await call(`${server.url}/api/bench?objective=`)).status).toBe(400);
  });

  it('sees a bench that finishes while the server runs', async () => {
    const later = join(benchDir, 'later', 'nested');
    mkdirSync(later, { recursive: true });
    writeFileSync(join(later, 'runs.jsonl'), readFileSync(runsFile, 'utf8').split('\n')[0] as string);
    const { json } = await call(`${server.url}/api/bench`);
    expect(json.sources.map((s: { path: string }) => s.path)).toContainEqual(
      expect.stringMatching(/later\/nested\/runs\.jsonl$/),
    );
  });

  it('is described in the OpenAPI document', async () => {
    const { json } = await call(`${server.url}/api/openapi.json`);
    expect(Object.keys(json.paths)).toEqual(
      expect.arrayContaining(['/api/bench', '/api/experiments/{name}/bench']),
    );
    expect(json.paths['/api/bench'].get.responses[200].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BenchListing',
    });
    for (const id of ['BenchRun', 'BenchSource', 'BenchListing', 'ExperimentBench', 'ExperimentBenchReply'])
      expect(json.components.schemas[id], id).toBeDefined();
    expect(json.components.schemas.BenchRun.required).toEqual(
      expect.arrayContaining(['objective', 'table', 'algorithm', 'seed', 'curve', 'budget']),
    );
  });
});

describe('GET /api/experiments/:name/bench', () => {
  it("gives a replay experiment its table's runs and optimum; its curve is the bench's for the same search", async () => {
    const created = await call(`${server.url}/api/experiments`, {
      body: experimentYaml('grid-replay', { algorithm: { algorithmName: 'grid' }, maxNumTrials: 20 }),
      type: 'application/yaml',
    });
    expect(created.status).toBe(201);
    await waitFor(
      async () =>
        (await call(`${server.url}/api/experiments/grid-replay`)).json.experiment.status === 'succeeded',
      'the experiment to finish',
    );
    const reply = await call(`${server.url}/api/experiments/grid-replay/bench`);
    expect(reply.status).toBe(200);
    const { bench } = ExperimentBenchReplySchema.parse(reply.json);
    if (!bench) throw new Error(`no overlay: ${reply.json.reason}`);
    const best = Math.max(
      ...syntheticRows().map((r) => (r.status === 'succeeded' ? (r.metrics.rps ?? 0) : 0)),
    );
    expect(bench).toMatchObject({ table: 'synthetic', objective: 'rps', optimum: best });
    // Only this table's runs under rps, their sources re-indexed to the files they came from.
    expect(bench.listing.sources.map((s) => s.path.replace(/^.*\/bench\//, ''))).toEqual([
      'edited/runs.jsonl',
      'later/nested/runs.jsonl',
      'small/runs.jsonl',
    ]);
    for (const run of bench.listing.runs) expect(run).toMatchObject({ table: 'synthetic', objective: 'rps' });
    expect(bench.listing.runs.filter((r) => r.source === 2)).toHaveLength(SMALL_BENCH.seeds * 2 + 1);

    // The experiment is grid search over the same table: normalised like the bench, it is the bench's
    // grid run (which stops at the optimum, and counts as 1 after).
    const { trials } = (await call(`${server.url}/api/experiments/grid-replay/trials`)).json;
    const curve = normaliseConvergence(convergence(trials, 'maximize'), 'maximize', bench.optimum).map(
      (p) => p.best,
    );
    const grid = bench.listing.runs.find((r) => r.algorithm === 'grid' && r.source === 2);
    expect(curve).toHaveLength(20);
    expect(curve).toEqual(curve.map((_, i) => bestWithin(grid?.curve ?? [], i + 1)));
  });

  it('says why there is no overlay: another runner, another objective, another table, no bench', async () => {
    const store = server.store;
    const add = async (name: string, overrides: Record<string, unknown>) => {
      const document = syntheticExperiment(table, overrides);
      document.metadata.name = name;
      await store.createExperiment({
        name,
        document: resolveExperiment(document, dir).document,
        baseDir: dir,
      });
    };
    await add('local-run', { runner: { name: 'local' } });
    await add('latency', { objective: { type: 'minimize', objectiveMetricName: 'p99Ms' } });
    await add('priced', {
      objective: { type: 'maximize', objectiveMetricName: 'rps_per_cost' },
      pricing: { base: 1 },
    });
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, readFileSync(table, 'utf8').replace('"name":"synthetic"', '"name":"unbenched"'));
    await add('unbenched', { runner: { name: 'replay', settings: { table: other } } });
    const reason = async (name: string) =>
      (await call(`${server.url}/api/experiments/${name}/bench`)).json.reason;
    expect(await reason('local-run')).toMatch(/only replay experiments/);
    expect(await reason('latency')).toMatch(/minimize p99Ms\) is none of the bench's/);
    expect(await reason('priced')).toMatch(/maximize rps_per_cost\) is none of the bench's .*paper's prices/);
    expect(await reason('unbenched')).toBe('no bench run on table "unbenched" under rps');
    expect((await call(`${server.url}/api/experiments/nope/bench`)).status).toBe(404);

    const bare = await startServer({ storePath: server.storePath.replace(/\.db$/, '-bare.db') });
    try {
      expect((await call(`${bare.url}/api/bench`)).json).toEqual({ sources: [], runs: [] });
      await bare.store.createExperiment({
        name: 'x',
        document: resolveExperiment(syntheticExperiment(table), dir).document,
        baseDir: dir,
      });
      expect((await call(`${bare.url}/api/experiments/x/bench`)).json.reason).toMatch(/without bench runs/);
    } finally {
      await bare.close();
    }
  });
});

describe('morphling serve --bench', () => {
  it('refuses a --bench path that does not exist (exit 2)', () => {
    const result = morphling([
      'serve',
      '--port',
      '0',
      '--bench',
      join(dir, 'missing'),
      '--store',
      join(dir, 's.db'),
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--bench ${join(dir, 'missing')}: no such file or folder`);
  });

  it(`reads .morphling/bench of the working folder when not told`, async () => {
    const cwd = join(dir, 'project');
    mkdirSync(join(cwd, '.morphling', 'bench', 'run1'), { recursive: true });
    writeFileSync(join(cwd, '.morphling', 'bench', 'run1', 'runs.jsonl'), readFileSync(runsFile));
    const child = startMorphling(['serve', '--port', '0', '--store', join(cwd, 'store.db')], { cwd });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 'the URL', 30_000);
      await waitFor(() => output.includes('bench runs from'), 'the bench line');
      expect(output).toContain(`bench runs from ${join(cwd, '.morphling', 'bench')}`);
      const { json } = await call(`${url}/api/bench`);
      expect(json.sources).toEqual([
        { path: '.morphling/bench/run1/runs.jsonl', runs: 2 * RUNS_PER_OBJECTIVE, invalid: 0, problems: [] },
      ]);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    }
  });
});
