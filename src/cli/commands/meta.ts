import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatProblem, SpecError, type SpecProblem } from '../../errors.js';
import { DEFAULT_MAML } from '../../metamodel/maml.js';
import { disposeParams } from '../../metamodel/mlp.js';
import { spaceDifferences } from '../../metamodel/space-match.js';
import { tableTask, taskObjective } from '../../metamodel/tasks.js';
import { trainMetamodel } from '../../metamodel/train.js';
import { loadMetamodel, type MetamodelKind, saveMetamodel } from '../../metamodel/weights-file.js';
import { coverage, type ProfileTable, readProfileTable, splitByCompleteness } from '../../profile/table.js';
import type { ParameterSpec } from '../../space/parameter.js';
import { formatNumber } from '../format.js';

/** Objectives a meta-model can be trained for (per-task normalised, paper prices for the cost). */
export const META_OBJECTIVES = ['rps', 'rps_per_cost'] as const;

interface TrainOptions {
  profiles: string[];
  objective: (typeof META_OBJECTIVES)[number];
  out: string;
  kind: MetamodelKind;
  iterations?: number;
  excludeFamily: string[];
  seed?: number;
  hidden?: number[];
}

/** `morphling meta train` and `morphling meta show`: the offline half of Morphling from the command line. */
export function registerMeta(program: Command): void {
  const meta = program
    .command('meta')
    .description('train a meta-model from profile tables, or show what a weights file records');

  meta
    .command('train')
    .description(
      'train a meta-model (MAML, or pooled regression for the Fine-Tuning baseline) on profile tables',
    )
    .requiredOption(
      '--profiles <paths...>',
      'profile tables (JSON lines) or directories of *.jsonl; several, or comma-separated',
    )
    .addOption(
      new Option('--objective <metric>', 'objective the tasks are scored with (paper prices for the cost)')
        .choices(META_OBJECTIVES)
        .makeOptionMandatory(),
    )
    .requiredOption('--out <file>', 'weights file to write (morphling-metamodel/1 JSON)')
    .addOption(
      new Option('--kind <kind>', 'maml: Morphling meta-model; pooled: Fine-Tuning baseline')
        .choices(['maml', 'pooled'])
        .default('maml'),
    )
    .option(
      '--iterations <n>',
      'MAML outer iterations (default 2000), or pooled Adam steps (default 300)',
      positiveInt,
    )
    .option(
      '--exclude-family <family>',
      'leave out tables of this model family (repeatable, or comma-separated)',
      collectList,
      [] as string[],
    )
    .option('--seed <n>', 'seed of the initial weights and the task sampling (default 1)', nonNegativeInt)
    .option('--hidden <sizes>', 'hidden layer sizes, comma-separated (default 128,128)', sizeList)
    .action(async (options: TrainOptions) => {
      await reportProblems(() => train(options));
    });

  meta
    .command('show')
    .description('print what a meta-model weights file records')
    .argument('<file>', 'weights file (morphling-metamodel/1 JSON)')
    .action(async (file: string) => {
      await reportProblems(() => show(file));
    });
}

/** SpecErrors become one `error:` line per problem and exit code 2; anything else propagates. */
async function reportProblems(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    for (const problem of error.problems) process.stderr.write(`error: ${formatProblem(problem)}\n`);
    process.exitCode = 2;
  }
}

async function train(options: TrainOptions): Promise<void> {
  const paths = await expandProfiles(options.profiles.flatMap(splitList));
  const problems: SpecProblem[] = [];
  const tables: ProfileTable[] = [];
  for (const path of paths) {
    try {
      tables.push(await readProfileTable(path));
    } catch (error) {
      if (error instanceof SpecError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new SpecError(problems);

  // A table still being profiled covers only the start of the grid (the lowest CPU limits): as a task it
  // would teach the network that corner of the space as if it were the whole surface.
  const { complete, partial } = splitByCompleteness(tables);
  for (const table of partial) {
    process.stderr.write(
      `skipping ${tableSource(table, paths, tables)}: ${coverage(table)} measured (not profiled exhaustively yet)\n`,
    );
  }
  const excluded = new Set(options.excludeFamily);
  const kept = complete.filter((table) => !excluded.has(table.header.model.family ?? ''));
  if (kept.length === 0) {
    const why =
      tables.length === 0
        ? 'no profile tables found'
        : complete.length === 0
          ? `none of the ${tables.length} tables is profiled exhaustively yet`
          : `all ${complete.length} complete tables belong to excluded families (${[...excluded].join(', ')})`;
    throw new SpecError([{ path: '--profiles', message: why }]);
  }
  const first = kept[0] as ProfileTable;
  const reference = first.space;
  for (const table of kept.slice(1)) {
    for (const difference of spaceDifferences(reference.toJSON(), table.space)) {
      // spaceDifferences speaks of a trained network ("trained on", "this space"): here, two tables.
      const wording = difference
        .replace(/trained (on|with)/, 'that table has')
        .replace(/this space (has|uses)/, 'this one $1');
      problems.push({
        path: tableSource(table, paths, tables),
        message: `its space differs from that of ${tableSource(first, paths, tables)}: ${wording}`,
      });
    }
  }
  const objective = taskObjective(options.objective);
  const support = DEFAULT_MAML.support; // MAML's K: a task needs more succeeded points than that
  for (const table of kept) {
    const task = tableTask(table, objective, table.space);
    const needed = options.kind === 'maml' ? support + 1 : 1;
    if (task.x.length < needed) {
      problems.push({
        path: tableSource(table, paths, tables),
        message: `has ${task.x.length} succeeded rows with "${options.objective}"; training needs at least ${needed}`,
      });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);

  const network = {
    ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.hidden === undefined ? {} : { hidden: options.hidden }),
  };
  const { iterations, ...common } = network;
  const trained = await trainMetamodel(kept, {
    kind: options.kind,
    objective,
    space: reference,
    ...(options.kind === 'maml'
      ? { maml: network }
      : { pooled: { ...common, ...(iterations === undefined ? {} : { steps: iterations }) } }),
  });
  try {
    await saveMetamodel(options.out, trained.description, trained.params);
  } finally {
    disposeParams(trained.params);
  }
  const d = trained.description;
  const lines = [
    `trained a ${d.kind} meta-model for ${d.objective.metric} on ${kept.length} tables (${kept.length} tasks${
      complete.length > kept.length ? `, ${complete.length - kept.length} excluded` : ''
    }${partial.length > 0 ? `, ${partial.length} skipped as incomplete` : ''}${
      d.training.synthetic ? ', some SYNTHETIC' : ''
    }): ${d.models.join(', ')}`,
    `${d.training.steps} iterations in ${formatNumber(trained.seconds, 3)} s, final loss ${formatNumber(
      d.training.finalLoss as number,
    )}`,
    `wrote ${options.out}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function show(file: string): Promise<void> {
  const model = await loadMetamodel(file);
  disposeParams(model.params);
  const settings = Object.entries(model.settings)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('x') : String(v)}`)
    .join(' ');
  const training = Object.entries(model.training)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`)
    .join(' ');
  const lines = [
    `file:          ${file}`,
    `kind:          ${model.kind}`,
    `date:          ${model.date}`,
    `objective:     ${model.objective.goal} ${model.objective.metric}`,
    `normalisation: ${model.normalisation}`,
    ...(model.objective.pricing === undefined
      ? []
      : [`pricing:       ${JSON.stringify(model.objective.pricing)}`]),
    `architecture:  ${model.architecture.inputDim} inputs, hidden ${model.architecture.hidden.join('x')}`,
    `adaptation:    ${model.adaptation.steps} ${model.adaptation.optimizer} steps of ${model.adaptation.learningRate}`,
    `settings:      ${settings}`,
    `training:      ${training}`,
    `models (${model.models.length}):  ${model.models.join(', ')}`,
    'space:',
    ...model.space.map((p) => `  ${p.name} (${p.category}, ${p.parameterType}): ${describeValues(p)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function describeValues(p: ParameterSpec): string {
  const f = p.feasibleSpace as { min?: unknown; max?: unknown; step?: unknown; list?: unknown[] };
  if (f.list) return `[${f.list.join(', ')}]`;
  return `${f.min}..${f.max}${f.step === undefined ? '' : ` step ${f.step}`}`;
}

/** Files as given, directories expanded to their `*.jsonl` in name order. */
async function expandProfiles(entries: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  const problems: SpecProblem[] = [];
  for (const entry of entries) {
    const path = resolve(entry);
    try {
      if ((await stat(path)).isDirectory()) {
        const names = (await readdir(path)).filter((name) => name.endsWith('.jsonl')).sort();
        if (names.length === 0)
          problems.push({ path: entry, message: 'the directory holds no *.jsonl tables' });
        for (const name of names) paths.push(join(path, name));
      } else paths.push(path);
    } catch (error) {
      problems.push({
        path: entry,
        message: `cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
      });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  if (paths.length === 0) throw new SpecError([{ path: '--profiles', message: 'no profile tables given' }]);
  return paths;
}

function tableSource(table: ProfileTable, paths: readonly string[], tables: readonly ProfileTable[]): string {
  return paths[tables.indexOf(table)] ?? table.header.model.name;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...splitList(value)];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

function sizeList(value: string): number[] {
  const sizes = splitList(value).map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`"${value}" is not a comma-separated list of positive integers`);
  }
  return sizes;
}
