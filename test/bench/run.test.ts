import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBenchReport } from '../../src/bench/report.js';
import { benchTables, runBench, seedsFor } from '../../src/bench/run.js';

describe('runBench', () => {
  it('gives random search and the seeded algorithms their seed counts, grid one run', () => {
    const counts = { randomSeeds: 20, modelSeeds: 5 };
    expect(seedsFor('random', counts)).toHaveLength(20);
    expect(seedsFor('bo', counts)).toEqual([1, 2, 3, 4, 5]);
    expect(seedsFor('grid', counts)).toEqual([null]);
    expect(seedsFor('optuna-tpe', counts)).toHaveLength(5);
  });

  it("gives vizier the other families' tables as prior studies, and skips objectives it lacks", async () => {
    const tables = await benchTables([], 4);
    const result = await runBench({
      tables,
      algorithms: ['vizier'],
      objectives: ['rps', 'rps_per_cost_nocpu'],
      randomSeeds: 1,
      modelSeeds: 1,
      budget: 9,
      metaIterations: 1,
    });
    expect(result.runs.map((r) => `${r.objective} ${r.table}`).sort()).toEqual(
      tables.map((t) => `rps ${t.header.model.name}`).sort(),
    );
    expect(result.skipped).toHaveLength(2);
    expect(result.skipped[0]).toMatch(/vizier \(rps_per_cost_nocpu\) not run on family synthetic-a/);
  }, 120_000);

  it('runs a small leave-one-family-out bench end to end and writes the report', async () => {
    // 4 SYNTHETIC tables in 2 families: morphling is meta-trained on the other family's 2 tables.
    const tables = await benchTables(['examples/tables/mobilenet-tiny.jsonl'], 4);
    const lines: string[] = [];
    const result = await runBench({
      tables,
      algorithms: ['grid', 'random', 'morphling'],
      objectives: ['rps_per_cost'],
      randomSeeds: 2,
      modelSeeds: 1,
      budget: 12,
      metaIterations: 3,
      log: (line) => lines.push(line),
    });
    expect(result.tasks).toHaveLength(5);
    expect(result.trainings.map((t) => [t.family, t.kind, t.tables.length])).toEqual([
      ['synthetic-a', 'maml', 2],
      ['synthetic-b', 'maml', 2],
    ]);
    for (const t of result.trainings) {
      const own = tables.filter((x) => x.header.model.family === t.family).map((x) => x.header.model.name);
      expect(t.tables.some((name) => own.includes(name))).toBe(false);
    }
    // The measured table shares its space with no other family: morphling is skipped there, said so.
    expect(result.skipped.join('\n')).toMatch(/morphling \(rps_per_cost\) not run on family mobilenet/);
    expect(result.runs.filter((r) => r.algorithm === 'morphling')).toHaveLength(4);
    expect(result.runs.filter((r) => r.algorithm === 'random')).toHaveLength(10);
    for (const run of result.runs) expect(run.curve.length).toBeLessThanOrEqual(12);

    const dir = mkdtempSync(join(tmpdir(), 'morphling-bench-report-'));
    const { markdown, files } = await writeBenchReport(dir, result, { settings: ['test'] });
    expect(markdown).toContain('## Objective `rps_per_cost`');
    expect(markdown).toContain('| algorithm | runs (tables) | 70% | 80% | 90% | 95% | 100% |');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(
      expect.arrayContaining(['report.md', 'runs.jsonl']),
    );
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(result.runs.length);
  }, 120_000);

  it('trains a network per fold and seed for the meta-model searches, and never copies their runs', async () => {
    const tables = await benchTables([], 4);
    const result = await runBench({
      tables,
      algorithms: ['morphling-gp', 'finetune'],
      objectives: ['rps'],
      randomSeeds: 1,
      modelSeeds: 2,
      budget: 6,
      metaIterations: 2,
    });
    // One pooled network per (family, seed), shared by finetune and morphling-gp.
    expect(result.trainings.map((t) => [t.family, t.kind, t.seed])).toEqual([
      ['synthetic-a', 'pooled', 1],
      ['synthetic-a', 'pooled', 2],
      ['synthetic-b', 'pooled', 1],
      ['synthetic-b', 'pooled', 2],
    ]);
    const runs = result.runs.filter((r) => r.algorithm === 'morphling-gp');
    expect(runs.map((r) => r.seed)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(runs.every((r) => r.copiedFrom === undefined)).toBe(true);
  }, 120_000);
});
