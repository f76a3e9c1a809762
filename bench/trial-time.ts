/**
 * Trial wall time of a real experiment: server start + readiness, and the peak search, per trial.
 * Usage: npx tsx bench/trial-time.ts [spec]   (default examples/resnet-local.yaml)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../src/controller/run-experiment.js';
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

const rows = trials.map((t) => {
  const total = (Date.parse(t.finishedAt ?? '') - Date.parse(t.startedAt ?? '')) / 1000;
  return [
    t.seq,
    Object.values(t.config).join(' / '),
    t.status,
    t.metrics?.rps ?? Number.NaN,
    t.metrics?.startSeconds ?? Number.NaN,
    t.metrics?.loadTestSeconds ?? Number.NaN,
    t.loadCurve?.length ?? 0,
    total,
  ];
});
const totals = rows.map((r) => r[7] as number);
const starts = rows.map((r) => r[4] as number).filter(Number.isFinite);
const loads = rows.map((r) => r[5] as number).filter(Number.isFinite);
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
      'trial s',
    ],
    rows,
  ),
);
console.log(
  `\nmedian trial ${median(totals).toFixed(2)} s (start ${median(starts).toFixed(2)} s + load test ${median(loads).toFixed(2)} s), ` +
    `max ${Math.max(...totals).toFixed(2)} s; whole experiment ${wall.toFixed(1)} s for ${trials.length} trials`,
);
