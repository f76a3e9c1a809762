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

const sumSeconds = (levels: readonly LoadLevel[], ms: (level: LoadLevel) => number | undefined) =>
  levels.reduce((sum, level) => sum + (ms(level) ?? Number.NaN), 0) / 1000;
const timings = trials.map((t) => {
  const levels = (t.loadCurve ?? []) as LoadLevel[];
  const loadTest = t.metrics?.loadTestSeconds ?? Number.NaN;
  const inLevels = sumSeconds(levels, (level) => level.durationMs);
  return {
    trial: t,
    start: t.metrics?.startSeconds ?? Number.NaN,
    loadTest,
    levels: levels.length,
    inLevels,
    drain: sumSeconds(levels, (level) => level.drainMs),
    // The unloaded probes and the closed-loop capacity estimate before the first level.
    beforeLevels: loadTest - inLevels,
    total: (Date.parse(t.finishedAt ?? '') - Date.parse(t.startedAt ?? '')) / 1000,
  };
});
const rows = timings.map(({ trial, ...timing }) => [
  trial.seq,
  Object.values(trial.config).join(' / '),
  trial.status,
  trial.metrics?.rps ?? Number.NaN,
  timing.start,
  timing.loadTest,
  timing.levels,
  timing.inLevels,
  timing.drain,
  timing.beforeLevels,
  timing.total,
]);
const medianOf = (field: 'start' | 'loadTest' | 'drain' | 'beforeLevels' | 'total') =>
  median(timings.map((timing) => timing[field]).filter(Number.isFinite));
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
  `\nmedian trial ${medianOf('total').toFixed(2)} s (start ${medianOf('start').toFixed(2)} s + load test ${medianOf('loadTest').toFixed(2)} s), ` +
    `max ${Math.max(...timings.map((timing) => timing.total)).toFixed(2)} s; whole experiment ${wall.toFixed(1)} s for ${trials.length} trials; ` +
    `per trial, median drain ${medianOf('drain').toFixed(2)} s, probe + capacity estimate ${medianOf('beforeLevels').toFixed(2)} s`,
);
