import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatProfileTable, type ProfileTable } from '../../src/profile/table.js';
import { morphling } from '../helpers/cli.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';
import { FAMILY_SPACE, syntheticTask } from '../metamodel/synthetic-family.js';

// Every table here is SYNTHETIC (test/metamodel/synthetic-family.ts, test/helpers/synthetic-table.ts).
const dir = mkdtempSync(join(tmpdir(), 'morphling-meta-'));
const profiles = join(dir, 'profiles');
mkdirSync(profiles);
function writeTable(path: string, table: ProfileTable, family = 'synthetic'): string {
  const header = { ...table.header, model: { ...table.header.model, family } };
  writeFileSync(path, formatProfileTable(header, table.rows));
  return path;
}
for (const task of [0, 1, 2]) writeTable(join(profiles, `task-${task}.jsonl`), syntheticTask(task));
writeTable(join(profiles, 'task-3.jsonl'), syntheticTask(3), 'other');
writeTable(join(dir, 'target.jsonl'), syntheticTask(101)); // the replayed service
const weights = join(dir, 'weights', 'maml.json');

/** An experiment over the family's space (knobs in the tables' order), replaying `table`. */
function familySpec(
  name: string,
  table: string,
  algorithmSettings: { name: string; value: string }[],
): string {
  const document = syntheticExperiment(table, {
    objective: { type: 'maximize', objectiveMetricName: 'rps' },
    maxNumTrials: 12,
    tunableParameters: FAMILY_SPACE.map(({ category, ...parameter }) => ({
      category,
      parameters: [parameter],
    })),
    algorithm: { algorithmName: 'morphling', algorithmSettings },
  });
  document.metadata.name = name;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(document));
  return path;
}

describe('morphling meta', () => {
  it('trains a meta-model from a directory of tables, shows it, and morphling uses it in a replay', () => {
    const train = morphling([
      'meta',
      'train',
      '--profiles',
      profiles,
      '--objective',
      'rps',
      '--out',
      weights,
      '--iterations',
      '30',
      '--hidden',
      '32,32',
      '--exclude-family',
      'other',
      '--seed',
      '2',
    ]);
    expect(train.stderr).toBe('');
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(
      /^trained a maml meta-model for rps on 3 tables \(3 tasks, 1 excluded, some SYNTHETIC\): synthetic-0, synthetic-1, synthetic-2$/m,
    );
    expect(train.stdout).toMatch(/^30 iterations in [\d.]+ s, final loss [\d.e+-]+$/m);
    console.log(`meta train (30 MAML iterations, 2 x 32, 3 tables): ${train.stdout.split('\n')[1]}`);
    const file = JSON.parse(readFileSync(weights, 'utf8'));
    expect(file).toMatchObject({
      format: 'morphling-metamodel/1',
      kind: 'maml',
      objective: { metric: 'rps', goal: 'maximize' },
      models: ['synthetic-0', 'synthetic-1', 'synthetic-2'],
      settings: { iterations: 30, hidden: [32, 32], seed: 2 },
      architecture: { inputDim: 6, hidden: [32, 32] },
      training: { steps: 30, synthetic: true },
    });
    expect(file.space.map((p: { name: string }) => p.name)).toEqual(FAMILY_SPACE.map((p) => p.name));

    const show = morphling(['meta', 'show', weights]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/^kind:\s+maml$/m);
    expect(show.stdout).toMatch(/^objective:\s+maximize rps$/m);
    expect(show.stdout).toMatch(/^architecture:\s+6 inputs, hidden 32x32$/m);
    expect(show.stdout).toMatch(/^models \(3\):\s+synthetic-0, synthetic-1, synthetic-2$/m);
    expect(show.stdout).toMatch(/^ {2}MAX_BATCH_SIZE \(env, discrete\): \[1, 2, 4, 8, 16, 32, 64, 128\]$/m);
    expect(show.stdout).toMatch(/^ {2}cpu \(resource, int\): 1\.\.5$/m);

    const spec = familySpec('meta-replay', 'target.jsonl', [{ name: 'metamodel', value: weights }]);
    const run = morphling(['run', spec, '--store', join(dir, 'run.db')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/algorithm morphling, runner replay$/m);
    expect(run.stdout).toMatch(/^\[12\/12\] trial #12 /m);
    expect(run.stdout).toMatch(/^best configuration \(trial #\d+\): /m);
  });

  it('trains a pooled network too', () => {
    const out = join(dir, 'pooled.json');
    const train = morphling([
      'meta',
      'train',
      '--profiles',
      join(profiles, 'task-0.jsonl'),
      join(profiles, 'task-1.jsonl'),
      '--objective',
      'rps_per_cost',
      '--kind',
      'pooled',
      '--iterations',
      '20',
      '--hidden',
      '16',
      '--out',
      out,
    ]);
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(/^trained a pooled meta-model for rps_per_cost on 2 tables/m);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      kind: 'pooled',
      settings: { steps: 20, hidden: [16] },
    });
  });

  it('skips a table that is still being profiled, and says so', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    const complete = syntheticTask(0);
    writeTable(join(mixed, 'complete.jsonl'), complete);
    const partial = syntheticTask(1);
    const path = join(mixed, 'partial.jsonl');
    writeFileSync(path, formatProfileTable(partial.header, partial.rows.slice(0, 100)));
    const pooled = (profilesArg: string) =>
      morphling(
        ['meta', 'train', '--profiles', profilesArg, '--objective', 'rps', '--kind', 'pooled'].concat([
          '--iterations',
          '5',
          '--hidden',
          '8',
          '--out',
          join(dir, 'partial-pooled.json'),
        ]),
      );
    const trained = pooled(mixed);
    expect(trained.status).toBe(0);
    expect(trained.stderr).toBe(
      `skipping ${path}: 100 of 720 configurations measured (not profiled exhaustively yet)\n`,
    );
    expect(trained.stdout).toMatch(
      /on 1 tables \(1 tasks, 1 skipped as incomplete, some SYNTHETIC\): synthetic-0$/m,
    );
    const none = pooled(path);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('error: --profiles: none of the 1 tables is profiled exhaustively yet');
  });

  it('refuses a meta-model trained for another space in an experiment, with a clear error', () => {
    expect(existsSync(weights)).toBe(true);
    writeSyntheticTable(dir); // synthetic.jsonl: knobs cpu, memory, MAX_BATCH_SIZE, threads
    const document = syntheticExperiment('synthetic.jsonl', {
      algorithm: { algorithmName: 'morphling', algorithmSettings: [{ name: 'metamodel', value: weights }] },
    });
    const path = join(dir, 'other-space.yaml');
    writeFileSync(path, stringify(document));
    const run = morphling(['run', path, '--store', join(dir, 'other.db')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${weights}: the meta-model ${weights} was trained for a different search space, so it cannot score this one:`,
    );
    expect(run.stderr).toContain(
      'knobs differ: trained on [cpu, gpuMemShare, MAX_BATCH_SIZE, gpuType], this space has [cpu, memory, MAX_BATCH_SIZE, threads]',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with one line per problem for bad input', () => {
    const train = (...args: string[]) =>
      morphling(['meta', 'train', '--out', join(dir, 'never.json'), ...args]);

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(train('--profiles', empty, '--objective', 'rps')).toMatchObject({
      status: 2,
      stderr: `error: ${empty}: the directory holds no *.jsonl tables\n`,
    });
    expect(train('--profiles', join(dir, 'nope.jsonl'), '--objective', 'rps')).toMatchObject({
      status: 2,
      stderr: `error: ${join(dir, 'nope.jsonl')}: cannot read (ENOENT)\n`,
    });

    const other = writeSyntheticTable(dir, 'other.jsonl');
    const mixed = train('--profiles', `${join(profiles, 'task-0.jsonl')},${other}`, '--objective', 'rps');
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toBe(
      `error: ${other}: its space differs from that of ${join(profiles, 'task-0.jsonl')}: knobs differ: that table has [cpu, gpuMemShare, MAX_BATCH_SIZE, gpuType], this one has [cpu, memory, MAX_BATCH_SIZE, threads]\n`,
    );

    const objective = train('--profiles', profiles, '--objective', 'latency');
    expect(objective.status).toBe(2);
    expect(objective.stderr.trim().split('\n')).toHaveLength(1);
    expect(objective.stderr).toMatch(/'latency' is invalid\. Allowed choices are rps, rps_per_cost/);

    const excluded = train(
      '--profiles',
      profiles,
      '--objective',
      'rps',
      '--exclude-family',
      'synthetic,other',
    );
    expect(excluded).toMatchObject({
      status: 2,
      stderr: 'error: --profiles: all 4 complete tables belong to excluded families (synthetic, other)\n',
    });
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });
});
