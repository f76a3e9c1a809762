import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { experimentBench } from '../../bench/experiment-bench.js';
import { BenchRunsReader } from '../../bench/runs-files.js';
import { loadBenchReportData, loadReportData, reportHtml } from '../../report/report.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';

interface ReportOptions {
  out?: string;
  store?: string;
  bench: string[];
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report of an experiment (charts and trial table, no network needed), ' +
        'or with --bench and no experiment a benchmark report of bench runs',
    )
    .argument('[experiment]', 'experiment name (without it: a benchmark report of the --bench runs)')
    .option('--out <file>', 'HTML file to write (default: <experiment>.html, or bench.html)')
    .option('--store <location>', STORE_OPTION_HELP)
    .option(
      '--bench <path>',
      "a bench's runs.jsonl, or a folder searched for them (repeatable): overlaid on a replay experiment's convergence plot",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (name: string | undefined, options: ReportOptions, command: Command) => {
      const missing = options.bench.filter((path) => !existsSync(path));
      if (missing.length > 0) {
        command.error(`error: --bench ${missing.join(', ')}: no such file or folder`, { exitCode: 2 });
      }
      const bench = options.bench.map((path) => resolve(path));
      if (name === undefined) {
        if (bench.length === 0)
          command.error('error: give an experiment, or --bench DIR for a benchmark report');
        await writeBenchReport(bench, resolve(options.out ?? 'bench.html'), command);
        return;
      }
      const data = await withStore(options.store, async (store) => {
        const loaded = await loadReportData(store, name);
        if (bench.length > 0) {
          const reply = await experimentBench(loaded.experiment, await new BenchRunsReader(bench).read());
          if (reply.bench) loaded.bench = reply.bench;
          else process.stderr.write(`no bench overlay: ${reply.reason}\n`);
        }
        return loaded;
      });
      const html = await reportHtml(data);
      const out = resolve(options.out ?? `${name}.html`);
      await writeFile(out, html);
      process.stdout.write(
        `wrote ${out}: ${data.trials.length} trials, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB\n`,
      );
      if (data.bench) {
        const algorithms = new Set(data.bench.listing.runs.map((r) => r.algorithm));
        process.stdout.write(
          `bench overlay: ${data.bench.listing.runs.length} runs of ${algorithms.size} algorithms on table ${data.bench.table} (${data.bench.objective})\n`,
        );
      }
    });
}

async function writeBenchReport(paths: string[], out: string, command: Command): Promise<void> {
  const data = await loadBenchReportData(paths);
  const { sources, runs } = data.listing;
  for (const source of sources) {
    if (source.error) process.stderr.write(`${source.path}: ${source.error}\n`);
    for (const problem of source.problems)
      process.stderr.write(`${source.path}:${problem.line}: not a run: ${problem.message}\n`);
  }
  if (runs.length === 0) {
    command.error(`error: no bench runs (runs.jsonl lines) under ${paths.join(', ')}`, { exitCode: 2 });
  }
  const html = await reportHtml(data);
  await writeFile(out, html);
  process.stdout.write(
    `wrote ${out}: ${runs.length} bench runs from ${sources.length} file${sources.length === 1 ? '' : 's'}, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB\n`,
  );
}
