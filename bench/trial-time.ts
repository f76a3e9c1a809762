/**
 * Trial wall time of a real experiment: server start + readiness, and the peak search, per trial.
 * Usage: npx tsx bench/trial-time.ts [spec]   (default examples/resnet-local.yaml)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../src/controller/run-experiment.js';
import type { LoadLevel } from '../src/loadgen/level.js';
import { loadExperimentFile } from '../src/spec/load.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { machineLine, markdownTable, median } from './lib/markdown.js';

const specPath = process.argv[2] ?? 'examples/resnet-local.yaml';
const experiment = await loadExperimentFile(specPath);
const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'bench-trial-time-')), 'bench.db'));
const wallStart = performance.now();
const { trials } = await runExperiment({ store, experiment });
const wall = (performance.now() - wallStart) / 1000;
await store.close();

const seconds = (ms: number) => ms / 1000;
const rows = trials.map((t) => {
  const total = (Date.parse(t.finishedAt ?? '') - Date.parse(t.startedAt ?? '')) / 1000;
  const levels = (t.loadCurve ?? []) as LoadLevel[];
  const levelsSeconds = seconds(levels.reduce((sum, level) => sum + (level.durationMs ?? Number.NaN), 0));
  const drainSeconds = seconds(levels.reduce((sum, level) => sum + (level.drainMs ?? Number.NaN), 0));
  const loadTestSeconds = t.metrics?.loadTestSeconds ?? Number.NaN;
  return [
    t.seq,
    Object.values(t.config).join(' / '),
    t.status,
    t.metrics?.rps ?? Number.NaN,
    t.metrics?.startSeconds ?? Number.NaN,
    loadTestSeconds,
    levels.length,
    levelsSeconds,
    drainSeconds,
    // The unloaded probes and the closed-loop capacity estimate before the first level.
    loadTestSeconds - levelsSeconds,
    total,
  ];
});
const totals = rows.map((r) => r[10] as number);
const starts = rows.map((r) => r[4] as number).filter(Number.isFinite);
const loads = rows.map((r) => r[5] as number).filter(Number.isFinite);
const drains = rows.map((r) => r[8] as number).filter(Number.isFinite);
const before = rows.map((r) => r[9] as number).filter(Number.isFinite);
console.log(`# Trial wall time: ${specPath}\n\n${await machineLine()}\n`);
console.log(
  markdownTable(
    [
      '#',
      Object.keys(trials[0]?.config ?? {}).join(' / '),
      'status',
      'peak rps',
      'start s',
      'load test s',
      'levels',
      'in levels s',
      'of which drain s',
      'probe + estimate s',
      'trial s',
    ],
    rows,
  ),
);
console.log(
  `\nmedian trial ${median(totals).toFixed(2)} s (start ${median(starts).toFixed(2)} s + load test ${median(loads).toFixed(2)} s), ` +
    `max ${Math.max(...totals).toFixed(2)} s; whole experiment ${wall.toFixed(1)} s for ${trials.length} trials; ` +
    `per trial, median drain ${median(drains).toFixed(2)} s, probe + capacity estimate ${median(before).toFixed(2)} s`,
);
