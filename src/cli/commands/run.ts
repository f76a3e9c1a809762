import { type Command, InvalidArgumentError } from 'commander';
import { runExperiment } from '../../controller/run-experiment.js';
import { loadExperimentFile } from '../../spec/load.js';
import type { TrialRecord } from '../../store/records.js';
import { formatConfig, formatNumber, formatTable, formatTrialLine, METRIC_COLUMNS } from '../format.js';
import { withInterrupts } from '../interrupt.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run an experiment (or resume it if the store already has it) and print the best configuration',
    )
    .argument('<spec>', 'experiment file (YAML or JSON)')
    .option('--store <location>', STORE_OPTION_HELP)
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .option(
      '--slots <n>',
      'trials this process runs at once, leaving the rest of spec.parallelism to `morphling worker` processes (0: only coordinate them; default: spec.parallelism)',
      slotCount,
    )
    .action(async (specPath: string, options: { store?: string; json?: boolean; slots?: number }) => {
      const experiment = await loadExperimentFile(specPath);
      const progress = options.json ? process.stderr : process.stdout;
      await withInterrupts(progress, async (signal) => {
        const result = await withStore(options.store, (store) =>
          runExperiment({
            store,
            experiment,
            signal,
            slots: options.slots,
            onEvent: (event) => {
              if (event.type === 'experiment-started') {
                progress.write(
                  event.resumed
                    ? `resuming ${event.experiment}: ${event.finished} trials finished, ${event.requeued} interrupted trials to re-run\n`
                    : `experiment ${event.experiment}: ${experiment.space.size} configurations, budget ${experiment.maxNumTrials}, algorithm ${experiment.algorithm.definition.name}, runner ${experiment.runner.definition.name}\n`,
                );
              } else if (event.type === 'trial-finished') {
                progress.write(`${formatTrialLine(event.trial, event.done, event.budget, event.best)}\n`);
              } else if (event.type === 'trial-requeued') {
                progress.write(`trial #${event.trial.seq} will run again: ${event.reason}\n`);
              }
            },
          }),
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ experiment: experiment.name, ...result }, null, 2)}\n`);
        } else {
          process.stdout.write(`\n${experiment.name}: ${result.status} (${result.message})\n`);
          if (result.best)
            process.stdout.write(`${describeBest(result.best, experiment.objective.metric)}\n`);
        }
        if (result.status === 'stopped') process.exitCode = 130;
      });
    });
}

export function describeBest(best: TrialRecord, metric: string): string {
  const lines = [`best configuration (trial #${best.seq}): ${formatConfig(best.config)}`];
  lines.push(`objective ${metric} = ${formatNumber(best.objective)}`);
  const metrics = METRIC_COLUMNS.filter((m) => best.metrics?.[m] !== undefined);
  lines.push(formatTable(metrics, [metrics.map((m) => formatNumber(best.metrics?.[m]))]));
  return lines.join('\n');
}

function slotCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}
