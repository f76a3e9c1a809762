import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/controller/run-experiment.js';
import { profileTable, profilingExperiment } from '../../src/profile/profile-experiment.js';
import { formatProfileTable, parseProfileTable, readProfileTable } from '../../src/profile/table.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { morphling, startMorphling } from '../helpers/cli.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

const dir = mkdtempSync(join(tmpdir(), 'morphling-profile-'));
const source = writeSyntheticTable(dir);

describe('profiling', () => {
  it('measures every configuration into a table that reads back the same', async () => {
    const experiment = profilingExperiment(
      resolveExperiment(syntheticExperiment(source, { maxNumTrials: 3 }), dir),
    );
    expect(experiment.name).toBe('synthetic-profile');
    expect(experiment.maxNumTrials).toBe(144);
    expect(experiment.algorithm.definition.name).toBe('grid');
    const store = await openSqliteStore(join(dir, 'p.db'));
    const { trials } = await runExperiment({ store, experiment });
    await store.close();
    const { header, rows } = profileTable(experiment, trials, { test: '1' });
    const table = parseProfileTable(formatProfileTable(header, rows), 'profiled.jsonl');
    const original = await readProfileTable(source);
    expect(table.rows).toHaveLength(144);
    for (const row of original.rows) {
      const again = table.lookup(row.config);
      expect(again?.status).toBe(row.status);
      expect(again?.metrics.rps).toBe(row.metrics.rps);
    }
    expect(table.header).toMatchObject({ software: { test: '1' }, measurement: { runner: 'replay' } });
    expect(table.header.machine).toMatchObject({ cores: expect.any(Number) });
  });

  it('is a CLI command that writes the table file', () => {
    const spec = join(dir, 'spec.json');
    const document = syntheticExperiment('synthetic.jsonl');
    writeFileSync(spec, JSON.stringify(document));
    const out = join(dir, 'out.jsonl');
    const run = morphling(['profile', spec, '--out', out, '--store', join(dir, 'cli.db')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^144 of 144 configurations in /m);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(145);
  });

  it('profiles several models into a folder, one table each, and skips complete tables', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(syntheticExperiment('synthetic.jsonl')));
    const out = join(dir, 'corpus');
    const args = ['profile', spec, '--model', 'mlp-tiny,resnet-tiny', '--out', out];
    const run = morphling([...args, '--store', join(dir, 'corpus.db')]);
    expect(run.status).toBe(0);
    for (const model of ['mlp-tiny', 'resnet-tiny']) {
      const table = parseProfileTable(readFileSync(join(out, `${model}.jsonl`), 'utf8'), model);
      expect(table.rows).toHaveLength(144);
      expect(table.header.model).toMatchObject({ name: model, family: model.split('-')[0] });
    }
    // A fresh store knows nothing of them: only the tables tell that the work is done.
    const again = morphling([...args, '--store', join(dir, 'corpus-2.db')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(
      `${join(out, 'mlp-tiny.jsonl')} already holds all 144 configurations\n` +
        `${join(out, 'resnet-tiny.jsonl')} already holds all 144 configurations\n`,
    );
  });

  it('goes on from a partial table with a fresh store, keeping the rows it holds', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(syntheticExperiment('synthetic.jsonl')));
    const full = join(dir, 'out.jsonl'); // from the CLI test above
    const [header, ...rows] = readFileSync(full, 'utf8').trim().split('\n');
    // 50 rows of an earlier session, marked so that a re-measurement would show.
    const kept = (rows as string[]).slice(0, 50).map((line) => {
      const row = JSON.parse(line);
      return JSON.stringify(
        row.status === 'succeeded' ? { ...row, metrics: { ...row.metrics, rps: 12345 } } : row,
      );
    });
    const partial = join(dir, 'partial.jsonl');
    writeFileSync(partial, `${[header, ...kept].join('\n')}\n`);
    const run = morphling(['profile', spec, '--out', partial, '--store', join(dir, 'fresh.db')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/partial\.jsonl: going on from its 50 configurations/);
    expect(run.stdout.match(/trial #/g)).toHaveLength(144 - 50);
    const table = parseProfileTable(readFileSync(partial, 'utf8'), partial);
    expect(table.rows).toHaveLength(144);
    for (const line of kept) {
      const row = JSON.parse(line);
      expect(table.lookup(row.config)?.metrics.rps).toBe(row.metrics.rps);
    }
  });

  it('leaves a whole table of the trials so far when killed with SIGKILL, and goes on from it', async () => {
    const spec = join(dir, 'slow-spec.json');
    const document = syntheticExperiment('synthetic.jsonl', {
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 20 } },
    });
    writeFileSync(spec, JSON.stringify(document));
    const out = join(dir, 'killed.jsonl');
    const child = startMorphling(['profile', spec, '--out', out, '--store', join(dir, 'killed.db')]);
    let rows = 0;
    for (let waited = 0; rows < 20 && waited < 60_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').length - 1 : 0;
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const table = parseProfileTable(readFileSync(out, 'utf8'), out);
    expect(table.rows.length).toBeGreaterThanOrEqual(20);
    expect(table.rows.length).toBeLessThan(144);
    const again = morphling(['profile', spec, '--out', out, '--store', join(dir, 'killed-2.db')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`going on from its ${table.rows.length} configurations`));
    expect(parseProfileTable(readFileSync(out, 'utf8'), out).rows).toHaveLength(144);
  });

  it('refuses to go on from a table of another space, and leaves it alone', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(syntheticExperiment('synthetic.jsonl')));
    const [header, first] = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n');
    const other = JSON.parse(header as string);
    const renamed = other.space[0].name;
    other.space[0].name = 'renamed';
    const row = JSON.parse(first as string);
    row.config.renamed = row.config[renamed];
    delete row.config[renamed];
    const path = join(dir, 'other-space.jsonl');
    const text = `${JSON.stringify(other)}\n${JSON.stringify(row)}\n`;
    writeFileSync(path, text);
    const run = morphling(['profile', spec, '--out', path, '--store', join(dir, 'other.db')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/other-space\.jsonl: was profiled over another space than the spec's/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('names an unknown model', () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(syntheticExperiment('synthetic.jsonl')));
    const run = morphling(['profile', spec, '--model', 'resnet-tiny,nope', '--out', join(dir, 'x')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--model: unknown zoo model 'nope' \(known: .*resnet-tiny/);
  });
});
