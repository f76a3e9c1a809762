import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfeasibleConfigError, SpecError, TrialFaultError } from '../../src/errors.js';
import {
  formatProfileTable,
  PROFILE_FORMAT,
  type ProfileRow,
  readProfileTable,
} from '../../src/profile/table.js';
import { replay } from '../../src/runners/replay.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import {
  SYNTHETIC_SPACE,
  syntheticExperiment,
  syntheticRows,
  writeSyntheticTable,
} from '../helpers/synthetic-table.js';

const dir = mkdtempSync(join(tmpdir(), 'morphling-replay-'));

describe('replay runner', () => {
  it('answers a trial with the recorded measurement, or the recorded failure', async () => {
    // Only the rows with cpu=1, threads=1 are recorded.
    const rows = syntheticRows().filter((r) => r.config.cpu === '1' && r.config.threads === 1);
    const table = join(dir, 'partial.jsonl');
    writeFileSync(
      table,
      formatProfileTable(
        { format: PROFILE_FORMAT, model: { name: 's' }, space: SYNTHETIC_SPACE, synthetic: true },
        rows,
      ),
    );
    const experiment = resolveExperiment(syntheticExperiment(table), dir);
    const runner = await replay.create({ table, delayMs: 0 }, experiment);
    const request = (config: Record<string, string | number>) => ({
      experiment: 'x',
      trialId: 1,
      attempt: 1,
      config,
      space: experiment.space,
      signal: new AbortController().signal,
    });
    const ok = await runner.start(request({ cpu: '1', memory: '1Gi', MAX_BATCH_SIZE: 8, threads: 1 }));
    const expected = rows.find((r) => r.config.memory === '1Gi' && r.config.MAX_BATCH_SIZE === 8);
    expect(ok.recorded?.rps).toBe(expected?.metrics.rps);
    await expect(
      runner.start(request({ cpu: '1', memory: '256Mi', MAX_BATCH_SIZE: 32, threads: 1 })),
    ).rejects.toThrow(InfeasibleConfigError);
    const missing = runner.start(request({ cpu: '2', memory: '1Gi', MAX_BATCH_SIZE: 8, threads: 1 }));
    await expect(missing).rejects.toThrow(TrialFaultError);
    await expect(missing).rejects.toThrow(/is not in the profile table/);
  });

  it('refuses a table whose parameters differ from the experiment', async () => {
    const table = writeSyntheticTable(dir, 'other.jsonl', SYNTHETIC_SPACE.slice(0, 3));
    const experiment = resolveExperiment(syntheticExperiment(table), dir);
    await expect(replay.create({ table, delayMs: 0 }, experiment)).rejects.toThrow(SpecError);
  });
});

describe('profile tables', () => {
  it('reject malformed lines with their line numbers', async () => {
    const path = join(dir, 'bad.jsonl');
    const header = JSON.stringify({ format: PROFILE_FORMAT, model: { name: 's' }, space: SYNTHETIC_SPACE });
    writeFileSync(path, `${header}\nnot json\n{"config": {"cpu": "9"}, "status": "succeeded"}\n`);
    await expect(readProfileTable(path)).rejects.toThrow(
      /bad\.jsonl:2: not JSON[\s\S]*bad\.jsonl:3 config: parameter "cpu"/,
    );
  });

  it('reject a repeated configuration', async () => {
    const path = join(dir, 'dup.jsonl');
    const row = syntheticRows()[0] as ProfileRow;
    writeFileSync(
      path,
      formatProfileTable({ format: PROFILE_FORMAT, model: { name: 's' }, space: SYNTHETIC_SPACE }, [
        row,
        row,
      ]),
    );
    await expect(readProfileTable(path)).rejects.toThrow(/repeats the configuration of line 2/);
  });
});
