import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import type { ExperimentRecord, TrialRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { formatNumber, formatTable } from '../format.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';
import { describeBest } from './run.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('show an experiment and its trials')
    .argument('<experiment>', 'experiment name')
    .option('--store <location>', STORE_OPTION_HELP)
    .option('--json', 'print JSON')
    .action(async (name: string, options: { store?: string; json?: boolean }) => {
      const { experiment, trials } = await withStore(options.store, (store) => loadExperiment(store, name));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ experiment, trials }, null, 2)}\n`);
        return;
      }
      const metric = (experiment.document as { spec?: { objective?: { objectiveMetricName?: string } } }).spec
        ?.objective?.objectiveMetricName;
      process.stdout.write(
        `${experiment.name}: ${experiment.status}${experiment.message ? ` (${experiment.message})` : ''}\n`,
      );
      const best = trials.find((t) => t.id === experiment.bestTrialId);
      if (best) process.stdout.write(`${describeBest(best, metric ?? 'objective')}\n`);
      process.stdout.write(`\n${trialTable(trials)}\n`);
    });
}

export async function loadExperiment(
  store: Store,
  name: string,
): Promise<{ experiment: ExperimentRecord; trials: TrialRecord[] }> {
  const experiment = await store.getExperiment(name);
  if (!experiment) throw new NotFoundError(`no experiment named "${name}" in this store`);
  return { experiment, trials: await store.listTrials(name) };
}

function trialTable(trials: readonly TrialRecord[]): string {
  const knobs = Object.keys(trials[0]?.config ?? {});
  const header = ['#', 'STATUS', ...knobs, 'OBJECTIVE', 'RPS', 'P99 MS', 'ATTEMPTS', 'ERROR'];
  const rows = trials.map((t) => [
    String(t.seq),
    t.status,
    ...knobs.map((k) => String(t.config[k])),
    formatNumber(t.objective),
    formatNumber(t.metrics?.rps),
    formatNumber(t.metrics?.p99Ms),
    String(t.attempt),
    t.errorMessage ? `${t.errorClass}: ${t.errorMessage}`.slice(0, 80) : '',
  ]);
  return formatTable(header, rows);
}
