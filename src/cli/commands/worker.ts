import { type Command, InvalidArgumentError } from 'commander';
import { runWorker } from '../../controller/run-worker.js';
import { workerIdentity } from '../../controller/worker-identity.js';
import { formatTrialLine } from '../format.js';
import { withInterrupts } from '../interrupt.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';

interface WorkerCliOptions {
  store?: string;
  experiment?: string;
  id?: string;
  slots: number;
  leaseSeconds: number;
  pollMs: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run trials of experiments that other processes started, sharing them with any number of workers on any machines through one store (PostgreSQL across machines)',
    )
    .option('--store <location>', STORE_OPTION_HELP)
    .option('--experiment <name>', 'work on this experiment only, and exit when it has ended')
    .option('--id <name>', 'name of this worker in the store and the progress lines (default: host-pid)')
    .option('--slots <n>', 'trials this worker runs at once', positiveInteger, 1)
    .option(
      '--lease-seconds <s>',
      'how long a trial stays claimed without a heartbeat: after a worker dies, its trial runs again this much later',
      positiveNumber,
      30,
    )
    .option('--poll-ms <ms>', 'how often an idle worker looks for work', positiveNumber, 250)
    .action(async (options: WorkerCliOptions) => {
      const identity = workerIdentity(options.id);
      const out = (line: string) => process.stdout.write(`[${identity.name}] ${line}\n`);
      let ended = false;
      await withInterrupts(process.stdout, async (signal) => {
        const result = await withStore(options.store, (store) =>
          runWorker({
            store,
            experiment: options.experiment,
            identity,
            slots: options.slots,
            lease: { leaseMs: options.leaseSeconds * 1000, pollMs: options.pollMs },
            signal,
            onEvent: (event) => {
              if (event.type === 'experiment-started') {
                out(
                  `joined ${event.experiment}: ${event.finished} trials finished, ${event.requeued} interrupted trials to re-run`,
                );
              } else if (event.type === 'trial-started') {
                out(`trial #${event.trial.seq} started (attempt ${event.trial.attempt})`);
              } else if (event.type === 'trial-finished') {
                out(formatTrialLine(event.trial, event.done, event.budget, event.best));
              } else if (event.type === 'trial-requeued') {
                out(`trial #${event.trial.seq} will run again: ${event.reason}`);
              } else if (event.type === 'experiment-ended') {
                ended = true;
                out(`${event.experiment}: ${event.status} (${event.message})`);
              }
            },
          }),
        );
        // Named, and already over when the worker came: say so rather than exit silently.
        const [left] = result.experiments;
        if (options.experiment && !ended && left && left.status !== 'running')
          out(`${left.name}: ${left.status}${left.message ? ` (${left.message})` : ''}; nothing to do`);
        if (signal.aborted) process.exitCode = 130;
      });
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number greater than 0');
  return n;
}
