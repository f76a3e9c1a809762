/**
 * Repeatability of the profile corpus (#5): some configurations of each table measured again in a later
 * session, with the same space file and the same trial machinery as `morphling profile`.
 *
 *   npx tsx bench/corpus-repeatability.ts measure data/spaces/cpu.yaml --tables data/profiles/cpu \
 *       --models resnet-tiny,vgg-tiny --out data/profiles/cpu-repeat
 *   npx tsx bench/corpus-repeatability.ts report --tables data/profiles/cpu --again data/profiles/cpu-repeat
 *
 * `measure` re-measures a seeded 5 % sample of each table plus the two best configurations under each
 * objective, and writes a partial profile table per model (resumable: configurations already in it are
 * skipped). `report` prints the CV of peak RPS per configuration and whether each optimum held.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { BENCH_OBJECTIVES, benchObjective } from '../src/bench/objectives.js';
import { loadTables } from '../src/bench/run.js';
import { executeTrial } from '../src/controller/execute-trial.js';
import { measureInstance } from '../src/controller/measure.js';
import { profileTable, profilingExperiment, softwareVersions } from '../src/profile/profile-experiment.js';
import {
  configsToRemeasure,
  levelRatio,
  optimumCheck,
  pairCv,
  repeatedConfigs,
  sampledConfigs,
} from '../src/profile/repeatability.js';
import { formatProfileTable, type ProfileTable, readProfileTable } from '../src/profile/table.js';
import type { Config } from '../src/space/parameter.js';
import { loadExperimentFile } from '../src/spec/load.js';
import type { ResolvedExperiment } from '../src/spec/resolved.js';
import type { TrialRecord } from '../src/store/records.js';
import { formatNumber, machineLine, markdownTable, median } from './lib/markdown.js';

const SELECTION = { fraction: 0.05, contenders: 2, seed: 1 };
const objectives = BENCH_OBJECTIVES.map(benchObjective);
const shortConfig = (config: Config) => Object.values(config).join(' / ');

const program = new Command('corpus-repeatability');

program
  .command('measure')
  .argument('<spec>', 'the space file the tables were profiled with')
  .requiredOption('--tables <folder>', 'the profile tables to check')
  .requiredOption('--out <folder>', 'where the repeated measurements go, one partial table per model')
  .option('--models <names>', 'comma-separated; default every table in --tables')
  .action(async (specPath: string, options: { tables: string; out: string; models?: string }) => {
    const spec = await loadExperimentFile(specPath);
    const wanted = options.models?.split(',').map((name) => name.trim());
    const tables = (await loadTables([options.tables])).filter(
      (table) => !wanted || wanted.includes(table.header.model.name),
    );
    await mkdir(options.out, { recursive: true });
    for (const table of tables)
      await remeasure(spec, table, join(options.out, `${table.header.model.name}.jsonl`));
  });

program
  .command('report')
  .requiredOption('--tables <folder>', 'the profile tables')
  .requiredOption('--again <folder>', 'the repeated measurements (from `measure`)')
  .action(async (options: { tables: string; again: string }) => {
    const again = new Map(
      (await loadTables([options.again])).map((table) => [table.header.model.name, table]),
    );
    const tables = (await loadTables([options.tables])).filter((table) => again.has(table.header.model.name));
    console.log(`# Corpus repeatability: ${options.tables} measured again (${options.again})\n`);
    console.log(`${await machineLine()}\n`);
    report(tables.map((table) => [table, again.get(table.header.model.name) as ProfileTable]));
  });

await program.parseAsync(process.argv);

async function remeasure(spec: ResolvedExperiment, table: ProfileTable, out: string): Promise<void> {
  const model = table.header.model.name;
  const experiment = profilingExperiment(spec, model);
  const done = existsSync(out) ? await readProfileTable(out) : undefined;
  const trials: TrialRecord[] = done ? done.rows.map((row, i) => rowAsTrial(experiment, row, i + 1)) : [];
  const pending = configsToRemeasure(table, objectives, SELECTION).filter((config) => !done?.lookup(config));
  if (pending.length === 0) return;
  const runner = await experiment.runner.definition.create(experiment.runner.settings, experiment);
  try {
    for (const config of pending) {
      const trial = await measureOnce(experiment, runner, config, trials.length + 1);
      trials.push(trial);
      const first = table.lookup(config);
      console.log(
        `${model} ${shortConfig(config)}: ${trial.status} ${formatNumber(trial.metrics?.rps ?? 0)} rps (first: ${first?.status} ${formatNumber(first?.metrics.rps ?? 0)})`,
      );
      const { header, rows } = profileTable(experiment, trials, softwareVersions());
      // Write then rename: a table on disk is always whole, so an interrupted run resumes from it.
      await writeFile(`${out}.partial`, formatProfileTable(header, rows));
      await rename(`${out}.partial`, out);
    }
  } finally {
    await runner.close?.();
  }
}

/** One trial as the controller runs it: measured again while the machine was disturbed or a retry is due. */
async function measureOnce(
  experiment: ResolvedExperiment,
  runner: Awaited<ReturnType<ResolvedExperiment['runner']['definition']['create']>>,
  config: Config,
  id: number,
): Promise<TrialRecord> {
  const signal = new AbortController().signal;
  let counted = 0;
  for (let attempt = 1; ; attempt++) {
    const trial: TrialRecord = {
      id,
      experiment: experiment.name,
      seq: id,
      config,
      configKey: experiment.space.key(config),
      status: 'running',
      attempt,
      createdAt: new Date().toISOString(),
    };
    const outcome = await executeTrial(trial, runner, experiment, measureInstance, signal);
    if (outcome === 'aborted') throw new Error('aborted');
    const retry = outcome.status === 'failed' && outcome.retryable;
    if (outcome.countsAsAttempt !== false) counted++;
    if (retry && (outcome.countsAsAttempt === false || counted < experiment.maxTrialAttempts)) continue;
    const { status, metrics, errorMessage, limits } = outcome;
    return {
      ...trial,
      status,
      ...(metrics ? { metrics } : {}),
      ...(errorMessage ? { errorMessage } : {}),
      ...(limits ? { limits } : {}),
    };
  }
}

function rowAsTrial(
  experiment: ResolvedExperiment,
  row: ProfileTable['rows'][number],
  id: number,
): TrialRecord {
  return {
    id,
    experiment: experiment.name,
    seq: id,
    config: row.config,
    configKey: experiment.space.key(row.config),
    status: row.status,
    attempt: 1,
    createdAt: '',
    metrics: { ...row.metrics, rps: row.metrics.rps ?? 0 },
    ...(row.reason ? { errorMessage: row.reason } : {}),
    ...(row.limits ? { limits: row.limits as TrialRecord['limits'] } : {}),
  };
}

function report(pairs: [ProfileTable, ProfileTable][]): void {
  const rows: (string | number)[][] = [];
  const sampledCvs: number[] = [];
  const allCvs: number[] = [];
  const levelledCvs: number[] = [];
  const levels: (string | number)[][] = [];
  let flips = 0;
  let compared = 0;
  for (const [first, again] of pairs) {
    const sample = new Set(
      sampledConfigs(first, SELECTION.fraction, SELECTION.seed).map((c) => first.space.key(c)),
    );
    const repeated = repeatedConfigs(first, again);
    const level = levelRatio(repeated);
    const modelLevelled = repeated.flatMap((pair) => {
      const cv = level === undefined ? undefined : pairCv(pair, level);
      return cv === undefined ? [] : [cv];
    });
    levelledCvs.push(...modelLevelled);
    levels.push([
      first.header.model.name,
      level === undefined ? '-' : level.toFixed(3),
      modelLevelled.length ? `${(median(modelLevelled) * 100).toFixed(1)} %` : '-',
    ]);
    for (const pair of repeated) {
      const cv = pairCv(pair);
      const sampled = sample.has(first.space.key(pair.config));
      compared++;
      if (pair.first.status !== pair.again.status) flips++;
      if (cv !== undefined) {
        allCvs.push(cv);
        if (sampled) sampledCvs.push(cv);
      }
      rows.push([
        first.header.model.name,
        shortConfig(pair.config),
        sampled ? 'sample' : 'contender',
        statusAndRps(pair.first),
        statusAndRps(pair.again),
        cv === undefined ? '-' : `${(cv * 100).toFixed(1)} %`,
      ]);
    }
  }
  console.log(markdownTable(['model', 'configuration', 'why', 'first', 'again', 'CV'], rows));
  const percent = (values: number[], q: number) =>
    values.length ? `${(quantile(values, q) * 100).toFixed(1)} %` : '-';
  console.log(
    `\nCV of peak RPS over two measurements: sample (${sampledCvs.length}) median ${percent(sampledCvs, 0.5)}, ` +
      `p90 ${percent(sampledCvs, 0.9)}; all (${allCvs.length}) median ${percent(allCvs, 0.5)}, p90 ${percent(allCvs, 0.9)}, ` +
      `max ${percent(allCvs, 1)}; ${flips} of ${compared} changed status (succeeded / infeasible / failed)\n`,
  );
  console.log(
    markdownTable(
      ['model', 'level ratio (median again / first)', 'median CV with the level taken out'],
      levels,
    ),
  );
  console.log(
    `\nWith each table's level taken out: median CV ${percent(levelledCvs, 0.5)}, p90 ${percent(levelledCvs, 0.9)} ` +
      '(a table-wide factor moves neither the optimum nor the normalised surface the meta-model learns)\n',
  );

  const optimumRows = BENCH_OBJECTIVES.map((name, i) => {
    const checks = pairs.flatMap(([first, again]) => {
      const check = optimumCheck(first, again, objectives[i] as (typeof objectives)[number]);
      return check ? [check] : [];
    });
    const moved = checks.filter((check) => !check.holds);
    return [
      name,
      checks.length,
      moved.length,
      moved.length ? median(moved.map((check) => check.firstValueShare)) : '-',
    ];
  });
  console.log(
    markdownTable(
      ['objective', 'models', 'optimum moved', 'median first-measurement share of the new optimum'],
      optimumRows,
    ),
  );
}

function statusAndRps(row: ProfileTable['rows'][number]): string {
  return row.status === 'succeeded' ? formatNumber(row.metrics.rps ?? 0) : row.status;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number;
}
