import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { runExperiment } from '../../controller/run-experiment.js';
import { profileTable, profilingExperiment } from '../../profile/profile-experiment.js';
import { formatProfileTable } from '../../profile/table.js';
import { loadExperimentFile } from '../../spec/load.js';
import { formatTrialLine } from '../format.js';
import { withInterrupts } from '../interrupt.js';
import { withStore } from '../store-option.js';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      "measure every configuration of an experiment's space and write its profile table (resumable)",
    )
    .argument('<spec>', 'experiment file: its space, service, runner, SLO and load settings are used')
    .requiredOption('--out <file>', 'profile table to write (JSON lines)')
    .option('--store <file>', 'SQLite database file (progress is kept there, so an interrupted run resumes)')
    .action(async (specPath: string, options: { out: string; store?: string }) => {
      const experiment = profilingExperiment(await loadExperimentFile(specPath));
      await withInterrupts(process.stdout, async (signal) => {
        const result = await withStore(options.store, (store) =>
          runExperiment({
            store,
            experiment,
            signal,
            onEvent: (event) => {
              if (event.type === 'trial-finished')
                process.stdout.write(`${formatTrialLine(event.trial, event.done, event.budget)}\n`);
            },
          }),
        );
        const { header, rows } = profileTable(experiment, result.trials, softwareVersions());
        // Write then rename: a table on disk is always whole.
        await writeFile(`${options.out}.partial`, formatProfileTable(header, rows));
        await rename(`${options.out}.partial`, options.out);
        process.stdout.write(`${rows.length} of ${experiment.space.size} configurations in ${options.out}\n`);
        if (result.status === 'stopped') process.exitCode = 130;
      });
    });
}

function softwareVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (path: string) => (require(path) as { version: string }).version;
  // From src/cli/commands or dist/cli/commands alike, the package root is three folders up.
  return {
    morphling: version('../../../package.json'),
    'onnxruntime-node': version('onnxruntime-node/package.json'),
  };
}
