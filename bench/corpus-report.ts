/**
 * What the profile corpus shows (docs/corpus.md): the models, how alike their surfaces are, where the
 * optima lie per objective, each knob's average effect, and the conditions the tables were measured in.
 * Usage: npx tsx bench/corpus-report.ts [folder]   (default data/profiles/cpu)
 */
import { median } from 'simple-statistics';
import { cornerDesign } from '../src/algorithms/initial-design.js';
import { leaveOneFamilyOut } from '../src/bench/families.js';
import { BENCH_OBJECTIVES, benchObjective } from '../src/bench/objectives.js';
import { optimumInDesign, tableOracle } from '../src/bench/replay.js';
import { loadTables, PAPER_DESIGN_SIZE } from '../src/bench/run.js';
import {
  knobTrend,
  meanSurfaceOrder,
  optimumOf,
  optimumPosition,
  surfaceRankCorrelation,
} from '../src/profile/analysis.js';
import { type ProfileTable, splitByCompleteness } from '../src/profile/table.js';
import type { Config } from '../src/space/parameter.js';
import { buildModel, isZooModel, listModels } from '../src/zoo/registry.js';
import { markdownTable } from './lib/markdown.js';

const folder = process.argv[2] ?? 'data/profiles/cpu';
const loaded = await loadTables([folder]);
// A table still being profiled is listed, not analysed.
const { complete: tables, partial } = splitByCompleteness(loaded);
const rps = benchObjective('rps');
const family = (table: ProfileTable) => table.header.model.family ?? table.header.model.name;
const shortConfig = (config: Config | undefined) => (config ? Object.values(config).join(' / ') : '-');
const knobs = tables[0]?.space.parameters.map((p) => p.name) ?? [];

console.log(`# Profile corpus: ${folder}\n`);
console.log(
  `${tables.length} complete tables, ${new Set(tables.map(family)).size} families${
    partial.length
      ? ` (analysed; ${partial.map((t) => t.header.model.name).join(', ')} still being profiled)`
      : ''
  }; configurations as ${knobs.join(' / ')}\n`,
);

console.log('## Models\n');
// Every zoo model, profiled or not yet, then tables of models outside the zoo.
const byModel = new Map(loaded.map((table) => [table.header.model.name, table]));
const size = tables[0]?.space.size ?? '-';
const zooRows = listModels().map((name) => {
  const table = byModel.get(name);
  if (table) return modelRow(table);
  const { info } = buildModel(name);
  return [
    name,
    info.family,
    info.params / 1e6,
    info.flopsPerSample / 1e6,
    `0/${size}`,
    '-',
    '-',
    '-',
    '-',
    '-',
  ];
});
const otherRows = loaded.filter((t) => !isZooModel(t.header.model.name)).map(modelRow);
console.log(
  markdownTable(
    [
      'model',
      'family',
      'params (M)',
      'MFLOPs/sample',
      'measured',
      'infeasible',
      'failed',
      'peak rps',
      'best for rps',
      'best for rps/cost',
    ],
    [...zooRows, ...otherRows],
  ),
);

function modelRow(table: ProfileTable): (string | number)[] {
  const count = (status: string) => table.rows.filter((row) => row.status === status).length;
  const model = table.header.model as { params?: number; flopsPerSample?: number };
  const best = optimumOf(table, rps);
  return [
    table.header.model.name,
    family(table),
    (model.params ?? Number.NaN) / 1e6,
    (model.flopsPerSample ?? Number.NaN) / 1e6,
    `${table.rows.length}/${table.space.size}`,
    count('infeasible'),
    count('failed'),
    best?.value ?? Number.NaN,
    shortConfig(best?.config),
    shortConfig(optimumOf(table, benchObjective('rps_per_cost'))?.config),
  ];
}

console.log(
  '\n## How alike the surfaces are (Spearman rank correlation of rps over shared configurations)\n',
);
const within: number[] = [];
const across: number[] = [];
for (let i = 0; i < tables.length; i++) {
  for (let j = i + 1; j < tables.length; j++) {
    const [a, b] = [tables[i] as ProfileTable, tables[j] as ProfileTable];
    const rho = surfaceRankCorrelation(a, b, rps);
    if (rho === undefined) continue;
    (family(a) === family(b) ? within : across).push(rho);
  }
}
const describe = (values: number[]) =>
  values.length === 0
    ? ['-', '-', '-', 0]
    : [median(values), Math.min(...values), Math.max(...values), values.length];
console.log(
  markdownTable(
    ['pairs', 'median rho', 'min', 'max', 'count'],
    [
      ['same family', ...describe(within)],
      ['different families', ...describe(across)],
    ],
  ),
);

console.log(
  "\n## Each knob's average effect (mean objective at each value / the model's best, over models)\n",
);
for (const name of BENCH_OBJECTIVES) {
  const objective = benchObjective(name);
  const rows = knobs.map((knob) => [
    knob,
    knobTrend(tables, knob, objective)
      .map((t) => `${t.value}: ${t.relative.toFixed(2)}`)
      .join(', '),
  ]);
  console.log(`### ${name}\n\n${markdownTable(['knob', 'value: relative objective'], rows)}\n`);
}

console.log('## Optimum location per objective (how many models have their optimum at each value)\n');
for (const name of BENCH_OBJECTIVES) {
  const objective = benchObjective(name);
  const optima = tables.map((table) => optimumOf(table, objective)?.config).filter((c) => c !== undefined);
  const rows = knobs.map((knob) => {
    const counts = new Map<string, number>();
    for (const config of optima)
      counts.set(String(config[knob]), (counts.get(String(config[knob])) ?? 0) + 1);
    return [knob, [...counts].map(([value, n]) => `${value}: ${n}`).join(', ')];
  });
  console.log(`### ${name}\n\n${markdownTable(['knob', 'value: models'], rows)}\n`);
}

console.log(
  "## The other families' mean surface as a search order (leave one family out)\n\n" +
    "Position of each model's optimum when its configurations are tried in the order of the mean normalised surface of the other families' tables — what the corpus says before a single trial of the model; corner: the optimum is on the paper's 8-corner initial design.\n",
);
const positionRows: (string | number)[][] = [];
for (const name of BENCH_OBJECTIVES) {
  const objective = benchObjective(name);
  const positions: { corner: boolean; position: number; table: string }[] = [];
  for (const split of leaveOneFamilyOut(tables)) {
    const order = meanSurfaceOrder(split.train, objective);
    for (const table of split.test) {
      const oracle = tableOracle(table, objective);
      const position = optimumPosition(oracle, order);
      if (position === undefined) continue;
      const corner = optimumInDesign(oracle, cornerDesign(table.space, { size: PAPER_DESIGN_SIZE }));
      positions.push({ corner, position, table: table.header.model.name });
    }
  }
  const others = positions.filter((p) => !p.corner);
  const summary = (list: typeof positions) =>
    list.length
      ? `${median(list.map((p) => p.position))} / ${Math.max(...list.map((p) => p.position))}`
      : '-';
  positionRows.push([
    name,
    summary(positions),
    `${summary(others)} (${others.length})`,
    others.map((p) => `${p.table} ${p.position}`).join(', '),
  ]);
}
console.log(
  markdownTable(
    ['objective', 'all tables, median / max', 'non-corner optima (tables)', 'non-corner, per table'],
    positionRows,
  ),
);
console.log();

console.log('## Measurement conditions\n');
const metric = (key: string) =>
  tables.flatMap((t) => t.rows.map((row) => row.metrics[key]).filter((v): v is number => v !== undefined));
const conditions = ['startSeconds', 'loadTestSeconds', 'otherCpuCores', 'loadAvg1m'].map((key) => {
  const values = metric(key);
  return [key, values.length ? median(values) : Number.NaN, values.length ? Math.max(...values) : Number.NaN];
});
console.log(markdownTable(['per trial', 'median', 'max'], conditions));
