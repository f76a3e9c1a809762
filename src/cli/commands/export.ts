import { type Command, InvalidArgumentError } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';
import { loadExperiment } from './show.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write an experiment's trials as CSV or JSON to stdout")
    .argument('<experiment>', 'experiment name')
    .option('--format <format>', 'csv or json', parseFormat, 'csv')
    .option('--store <location>', STORE_OPTION_HELP)
    .action(async (name: string, options: { store?: string; format: 'csv' | 'json' }) => {
      const { experiment, trials } = await withStore(options.store, (store) => loadExperiment(store, name));
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify({ experiment, trials }, null, 2)}\n`);
        return;
      }
      const knobs = [...new Set(trials.flatMap((t) => Object.keys(t.config)))];
      const metrics = [...new Set(trials.flatMap((t) => Object.keys(t.metrics ?? {})))];
      const header = [
        'seq',
        'status',
        'attempt',
        ...knobs,
        'objective',
        ...metrics,
        'errorClass',
        'errorMessage',
        'startedAt',
        'finishedAt',
      ];
      const rows = trials.map((t) => [
        t.seq,
        t.status,
        t.attempt,
        ...knobs.map((k) => t.config[k]),
        t.objective,
        ...metrics.map((m) => t.metrics?.[m]),
        t.errorClass,
        t.errorMessage,
        t.startedAt,
        t.finishedAt,
      ]);
      process.stdout.write(stringify([header, ...rows]));
    });
}

function parseFormat(value: string): 'csv' | 'json' {
  if (value !== 'csv' && value !== 'json') throw new InvalidArgumentError('must be csv or json');
  return value;
}
