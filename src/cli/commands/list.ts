import type { Command } from 'commander';
import { formatNumber, formatTable } from '../format.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the experiments in the store')
    .option('--store <location>', STORE_OPTION_HELP)
    .option('--json', 'print JSON')
    .action(async (options: { store?: string; json?: boolean }) => {
      const experiments = await withStore(options.store, (store) => store.listExperiments());
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(
            experiments.map(({ document: _, ...rest }) => rest),
            null,
            2,
          )}\n`,
        );
        return;
      }
      if (experiments.length === 0) {
        process.stdout.write('no experiments yet: start one with `morphling run <spec>`\n');
        return;
      }
      const rows = experiments.map((e) => {
        const c = e.trialCounts;
        return [
          e.name,
          e.status,
          String(c.succeeded + c.infeasible + c.failed),
          `${c.succeeded}/${c.infeasible}/${c.failed}`,
          formatNumber(e.bestObjective),
          e.updatedAt,
        ];
      });
      process.stdout.write(
        `${formatTable(['NAME', 'STATUS', 'TRIALS', 'OK/INFEASIBLE/FAILED', 'BEST', 'UPDATED'], rows)}\n`,
      );
    });
}
