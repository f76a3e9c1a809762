import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadReportData, reportHtml } from '../../report/report.js';
import { withStore } from '../store-option.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report of an experiment (charts and trial table, no network needed)',
    )
    .argument('<experiment>', 'experiment name')
    .option('--out <file>', 'HTML file to write (default: <experiment>.html)')
    .option('--store <file>', 'SQLite database file')
    .action(async (name: string, options: { out?: string; store?: string }) => {
      const data = await withStore(options.store, (store) => loadReportData(store, name));
      const html = await reportHtml(data);
      const out = resolve(options.out ?? `${name}.html`);
      await writeFile(out, html);
      process.stdout.write(
        `wrote ${out}: ${data.trials.length} trials, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB\n`,
      );
    });
}
