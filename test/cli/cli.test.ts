import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { morphling, startMorphling } from '../helpers/cli.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

const dir = mkdtempSync(join(tmpdir(), 'morphling-cli-'));
writeSyntheticTable(dir);

function specFile(name: string, spec: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  const document = syntheticExperiment('synthetic.jsonl', spec);
  document.metadata.name = name;
  writeFileSync(path, stringify(document));
  return path;
}

describe('morphling CLI', () => {
  it('runs an experiment and prints the best configuration, then lists, shows and exports it', () => {
    const store = join(dir, 'run.db');
    const spec = specFile('grid-all', { maxNumTrials: 144 });
    const run = morphling(['run', spec, '--store', store]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^experiment grid-all: 144 configurations, budget 144, algorithm grid, runner replay$/m,
    );
    expect(run.stdout).toMatch(/^\[144\/144\] trial #144 /m);
    expect(run.stdout).toMatch(
      /best configuration \(trial #\d+\): cpu=2 memory=1Gi MAX_BATCH_SIZE=32 threads=2/,
    );

    const list = morphling(['list', '--store', store]);
    expect(list.stdout).toMatch(/^grid-all\s+succeeded\s+144\s+128\/16\/0\s+/m);

    const show = morphling(['show', 'grid-all', '--store', store]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/^#\s+STATUS\s+cpu\s+memory\s+MAX_BATCH_SIZE\s+threads\s+OBJECTIVE/m);
    expect(show.stdout).toMatch(/infeasible: OOM-killed at 256Mi \(synthetic\)/);

    const csv = morphling(['export', 'grid-all', '--format', 'csv', '--store', store]);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^seq,status,attempt,cpu,memory,MAX_BATCH_SIZE,threads,objective,rps,/);
    expect(lines).toHaveLength(145);
    const json = JSON.parse(morphling(['export', 'grid-all', '--format', 'json', '--store', store]).stdout);
    expect(json.trials).toHaveLength(144);

    expect(morphling(['show', 'nope', '--store', store])).toMatchObject({
      status: 2,
      stderr: 'error: no experiment named "nope" in this store\n',
    });
    expect(morphling(['export', 'grid-all', '--format', 'xml', '--store', store]).status).toBe(2);
  });

  it('prints JSON with --json', () => {
    const run = morphling([
      'run',
      specFile('json-out', { maxNumTrials: 4 }),
      '--store',
      join(dir, 'json.db'),
      '--json',
    ]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ experiment: 'json-out', status: 'succeeded' });
    expect(result.trials).toHaveLength(4);
  });

  it('exits 2 with one line per problem for a bad spec, never a stack trace', () => {
    const path = join(dir, 'bad.yaml');
    const document = syntheticExperiment('synthetic.jsonl', {
      maxNumTrials: -3,
      algorithm: { algorithmName: 'grdi' },
    });
    writeFileSync(path, stringify(document));
    const run = morphling(['run', path, '--store', join(dir, 'bad.db')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      [
        `error: invalid experiment ${path}: `,
        '  spec.maxNumTrials: must be greater than 0, got number -3',
        '',
      ].join('\n'),
    );
    const unknown = syntheticExperiment('synthetic.jsonl', { algorithm: { algorithmName: 'grdi' } });
    writeFileSync(path, stringify(unknown));
    const second = morphling(['run', path, '--store', join(dir, 'bad.db')]);
    expect(second.status).toBe(2);
    expect(second.stderr).toContain(
      '  spec.algorithm.algorithmName: unknown algorithm "grdi" (did you mean "grid"?)',
    );
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(morphling(['run', join(dir, 'missing.yaml')]).stderr).toMatch(/missing\.yaml: no such file/);
    expect(morphling(['frobnicate']).status).toBe(2);
  });

  it('survives SIGKILL mid-experiment: the rerun completes exactly maxNumTrials distinct configs and keeps every recorded trial', async () => {
    const store = join(dir, 'kill.db');
    const spec = specFile('killed', {
      maxNumTrials: 12,
      parallelism: 2,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: '9' }] },
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 150 } },
    });
    const child = startMorphling(['run', spec, '--store', store]);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress: ${output}`)), 30_000);
      child.stdout?.on('data', () => {
        if ((output.match(/^\[\d+\/12\]/gm) ?? []).length >= 4) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await once(child, 'exit');

    const before = await openSqliteStore(store);
    const recorded = await before.listTrials('killed');
    await before.close();
    const finished = recorded.filter((t) => ['succeeded', 'infeasible', 'failed'].includes(t.status));
    expect(finished.length).toBeGreaterThanOrEqual(4);
    expect(recorded.some((t) => t.status === 'running')).toBe(true);

    const rerun = morphling(['run', spec, '--store', store]);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(
      /^resuming killed: \d+ trials finished, [12] interrupted trials to re-run$/m,
    );
    const after = await openSqliteStore(store);
    const trials = await after.listTrials('killed');
    await after.close();
    expect(trials).toHaveLength(12);
    expect(new Set(trials.map((t) => t.configKey)).size).toBe(12);
    expect(trials.every((t) => ['succeeded', 'infeasible', 'failed'].includes(t.status))).toBe(true);
    for (const t of finished) expect(trials.find((a) => a.id === t.id)).toEqual(t);
    for (const t of recorded) expect(trials.find((a) => a.id === t.id)?.configKey).toBe(t.configKey);
  });

  it('stops cleanly on SIGINT and resumes', async () => {
    const store = join(dir, 'int.db');
    const spec = specFile('interrupted', {
      maxNumTrials: 8,
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 200 } },
    });
    const child = startMorphling(['run', spec, '--store', store]);
    let output = '';
    let interrupted = false;
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      // One Ctrl-C: a second one is "quit at once", and one arriving after the handlers are gone kills.
      if (!interrupted && /^\[2\/8\]/m.test(output)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    expect(output).toMatch(/SIGINT: stopping/);
    const s = await openSqliteStore(store);
    expect((await s.getExperiment('interrupted'))?.status).toBe('stopped');
    expect((await s.listTrials('interrupted')).some((t) => t.status === 'running')).toBe(false);
    await s.close();
    const rerun = morphling(['run', spec, '--store', store]);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(/^\[8\/8\]/m);
  });
});
