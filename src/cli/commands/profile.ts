import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runExperiment } from '../../controller/run-experiment.js';
import { SpecError } from '../../errors.js';
import {
  profiledModelName,
  profileTable,
  profilingExperiment,
  softwareVersions,
} from '../../profile/profile-experiment.js';
import { resumeFromTable } from '../../profile/resume-from-table.js';
import { formatProfileTable, type ProfileTable, readProfileTable } from '../../profile/table.js';
import { loadExperimentFile } from '../../spec/load.js';
import type { ResolvedExperiment } from '../../spec/resolved.js';
import type { TrialRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { isZooModel, listModels } from '../../zoo/registry.js';
import { formatTrialLine } from '../format.js';
import { withInterrupts } from '../interrupt.js';
import { STORE_OPTION_HELP, withStore } from '../store-option.js';

interface ProfileOptions {
  out: string;
  store?: string;
  model?: string;
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      "measure every configuration of an experiment's space and write its profile table (resumable)",
    )
    .argument('<spec>', 'experiment file: its space, service, runner, SLO and load settings are used')
    .requiredOption(
      '--out <path>',
      'profile table to write (JSON lines); a folder of <model>.jsonl tables with several models',
    )
    .option(
      '--model <names>',
      "serve these models instead of the spec's: zoo names or .onnx paths, comma-separated, or 'zoo' for every zoo model",
    )
    .option(
      '--store <location>',
      `${STORE_OPTION_HELP}; progress is kept there, so an interrupted run resumes`,
    )
    .action(async (specPath: string, options: ProfileOptions) => {
      const spec = await loadExperimentFile(specPath);
      const models = modelList(options.model);
      const toFolder = models.length > 1 || (existsSync(options.out) && statSync(options.out).isDirectory());
      if (toFolder) await mkdir(options.out, { recursive: true });
      await withInterrupts(process.stdout, (signal) =>
        withStore(options.store, async (store) => {
          for (const model of models.length ? models : [undefined]) {
            if (signal.aborted) break;
            const out = toFolder ? join(options.out, `${model}.jsonl`) : options.out;
            const experiment = profilingExperiment(spec, model);
            const earlier = existsSync(out) ? await readProfileTable(out) : undefined;
            if (earlier && isComplete(earlier, experiment)) {
              process.stdout.write(`${out} already holds all ${experiment.space.size} configurations\n`);
              continue;
            }
            const taken = earlier ? await resumeFromTable(store, experiment, earlier, out) : 0;
            if (taken > 0) process.stdout.write(`${out}: going on from its ${taken} configurations\n`);
            await profileOne(store, experiment, out, signal);
          }
        }),
      );
    });
}

function modelList(option: string | undefined): string[] {
  if (option === undefined) return [];
  if (option === 'zoo') return listModels();
  const names = option.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !name.endsWith('.onnx') && !isZooModel(name));
  if (unknown.length > 0 || names.some((name) => name === '')) {
    throw new SpecError([
      {
        path: '--model',
        message: `unknown zoo model ${unknown.map((n) => `'${n}'`).join(', ') || "''"} (known: ${listModels().join(', ')}; or an .onnx path)`,
      },
    ]);
  }
  return names;
}

/** A table from an earlier run that already covers the whole space (a corpus run skips its model). */
function isComplete(table: ProfileTable, experiment: ResolvedExperiment): boolean {
  return (
    table.rows.length === experiment.space.size &&
    table.header.model.name === profiledModelName(experiment.service?.model ?? 'unknown')
  );
}

async function profileOne(
  store: Store,
  experiment: ResolvedExperiment,
  out: string,
  signal: AbortSignal,
): Promise<void> {
  // The table is rewritten after every trial, in order, one write at a time (trials that finish while
  // a write waits share the next one): a machine that goes away mid-model (a session ends, a kill -9)
  // leaves a table a later run goes on from (resumeFromTable).
  let writes = Promise.resolve(0);
  let waiting = false;
  const writeTable = (trials: () => Promise<readonly TrialRecord[]>) => {
    waiting = true;
    writes = writes.then(async () => {
      waiting = false;
      const { header, rows } = profileTable(experiment, await trials(), softwareVersions());
      // Write then rename: a table on disk is always whole.
      await writeFile(`${out}.partial`, formatProfileTable(header, rows));
      await rename(`${out}.partial`, out);
      return rows.length;
    });
    return writes;
  };
  const result = await runExperiment({
    store,
    experiment,
    signal,
    onEvent: (event) => {
      if (event.type !== 'trial-finished') return;
      process.stdout.write(`${formatTrialLine(event.trial, event.done, event.budget)}\n`);
      // A failed write shows at the final one, which is awaited.
      if (!waiting) writeTable(() => store.listTrials(experiment.name)).catch(() => {});
    },
  });
  const rows = await writeTable(async () => result.trials);
  process.stdout.write(`${rows} of ${experiment.space.size} configurations in ${out}\n`);
  if (result.status === 'stopped') process.exitCode = 130;
}
