import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { algorithmNames } from '../algorithms/registry.js';
import { coverage, splitByCompleteness } from '../profile/table.js';
import { BENCH_OBJECTIVES, type BenchObjectiveName, isBenchObjective } from './objectives.js';
import { defaultPython, isPeer, PEERS, PeerBridge } from './peers.js';
import { writeBenchReport } from './report.js';
import {
  benchTables,
  META_KINDS,
  PAPER_DESIGN_SIZE,
  PRIOR_STUDIES,
  runBench,
  unknownAlgorithms,
} from './run.js';

/**
 * Own algorithms run by default (grid is a sanity line: its cost is the optimum's grid position).
 * Not ernest: it trains a 2 x 128 network from scratch for 200 Adam steps on every suggestion, ~0.3 s
 * per trial on 2 cores and growing, and without a prior it needs hundreds of trials on a 720-config
 * table — over an hour for the default tables and seeds. Ask for it with --algorithms.
 */
export const DEFAULT_ALGORITHMS = ['morphling', 'morphling-gp', 'finetune', 'bo', 'random', 'grid'];
export const DEFAULT_RANDOM_SEEDS = 20;
export const DEFAULT_MODEL_SEEDS = 5;
/** MAML iterations (and pooled steps) per leave-one-family-out fold: small, so a default bench takes minutes. */
export const DEFAULT_META_ITERATIONS = 300;
/** Where reports go by default (`.morphling/` is git-ignored). */
export const DEFAULT_OUT = '.morphling/bench/search-cost';

interface RawOptions {
  tables: string[];
  synthetic: number;
  algorithms: string[];
  peers?: true | string[];
  objective: BenchObjectiveName[];
  seeds?: number;
  randomSeeds: number;
  modelSeeds: number;
  budget?: number;
  initialDesign?: number;
  metaIterations: number;
  set: Record<string, Record<string, string>>;
  python: string;
  out: string;
}

function count(min: number) {
  return (text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return value;
  };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function algorithmList(text: string): string[] {
  const names = list(text);
  const unknown = unknownAlgorithms(names);
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown: ${unknown.join(', ')} (algorithms: ${algorithmNames().join(', ')}; peers: ${PEERS.join(', ')})`,
    );
  }
  return names;
}

function peerList(text: string): string[] {
  const names = list(text);
  const unknown = names.filter((name) => !isPeer(name));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown peer(s) ${unknown.join(', ')} (${PEERS.join(', ')})`);
  return names;
}

function objectiveList(text: string): BenchObjectiveName[] {
  if (text === 'all') return [...BENCH_OBJECTIVES];
  const names = list(text);
  const unknown = names.filter((name) => !isBenchObjective(name));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown objective(s) ${unknown.join(', ')} (${BENCH_OBJECTIVES.join(', ')}, all)`,
    );
  return names as BenchObjectiveName[];
}

function setting(text: string, previous: Record<string, Record<string, string>>) {
  const match = /^([\w-]+)\.(\w+)=(.*)$/.exec(text);
  if (!match) throw new InvalidArgumentError('expected algorithm.setting=value, e.g. bo.acquisition=ucb');
  const [, algorithm, key, value] = match as unknown as [string, string, string, string];
  return { ...previous, [algorithm]: { ...previous[algorithm], [key]: value } };
}

/**
 * Adds the replay benchmark's options and action to a command: `morphling bench` and
 * `npx tsx bench/search-cost.ts` are both this. `invocation` starts the command line the report
 * records (the process arguments follow it).
 */
export function configureBenchCommand(command: Command, invocation: string): Command {
  return command
    .option('--tables <paths...>', 'profile tables (.jsonl files, or folders of them)', [])
    .option('--synthetic <n>', 'add n SYNTHETIC tables (made up by code, for development)', count(0), 0)
    .option(
      '--algorithms <list>',
      `comma-separated algorithms and peers (algorithms: ${algorithmNames().join(', ')}; peers: ${PEERS.join(', ')})`,
      algorithmList,
      DEFAULT_ALGORITHMS,
    )
    .option(
      '--peers [list]',
      `also run peers through bench/peers/peer_bridge.py (default all: ${PEERS.join(', ')})`,
      peerList,
    )
    .option(
      '--objective <list>',
      `comma-separated objectives, or all (${BENCH_OBJECTIVES.join(', ')})`,
      objectiveList,
      ['rps_per_cost'],
    )
    .option('--seeds <n>', 'seeds of every randomised algorithm (overrides the two below)', count(1))
    .option('--random-seeds <n>', 'seeds of random search and optuna-random', count(1), DEFAULT_RANDOM_SEEDS)
    .option(
      '--model-seeds <n>',
      'seeds of the other seeded algorithms and peers',
      count(1),
      DEFAULT_MODEL_SEEDS,
    )
    .option('--budget <n>', 'trials per search at most (default: the size of the space)', count(1))
    .option(
      '--initial-design <n>',
      `initial-design size for every algorithm and peer (default: each algorithm's own; peers ${PAPER_DESIGN_SIZE})`,
      count(0),
    )
    .option(
      '--meta-iterations <n>',
      'MAML iterations and pooled-regression steps per leave-one-family-out fold',
      count(1),
      DEFAULT_META_ITERATIONS,
    )
    .option('--set <algorithm.setting=value>', 'an algorithm setting (repeatable)', setting, {})
    .option('--python <path>', 'Python interpreter for the peers', defaultPython())
    .option('--out <dir>', 'folder for report.md, the SVG plots and runs.jsonl', DEFAULT_OUT)
    .action(async (raw: RawOptions) => {
      await benchAction(raw, invocation);
    });
}

async function benchAction(raw: RawOptions, invocation: string): Promise<void> {
  if (raw.tables.length === 0 && raw.synthetic === 0) {
    throw new InvalidArgumentError('give profile tables (--tables) or synthetic ones (--synthetic n)');
  }
  const peers = raw.peers === true ? [...PEERS] : (raw.peers ?? []);
  const algorithms = [...new Set([...raw.algorithms, ...peers])];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Scores are shares of the exhaustive optimum, unknown until every configuration is measured.
  const { complete: tables, partial } = splitByCompleteness(await benchTables(raw.tables, raw.synthetic));
  const skipped = partial.map((table) => `${table.header.model.name} (${coverage(table)})`);
  if (skipped.length > 0) log(`skipped, not profiled exhaustively yet: ${skipped.join(', ')}`);
  if (tables.length === 0) throw new InvalidArgumentError('no exhaustively profiled table to replay');
  const bridge = algorithms.some(isPeer) ? PeerBridge.start(raw.python) : undefined;
  try {
    const options = {
      tables,
      algorithms,
      objectives: raw.objective,
      randomSeeds: raw.seeds ?? raw.randomSeeds,
      modelSeeds: raw.seeds ?? raw.modelSeeds,
      budget: raw.budget,
      initialDesign: raw.initialDesign,
      metaIterations: raw.metaIterations,
      settings: raw.set,
      bridge,
      log,
    };
    const result = await runBench(options);
    const settings = [
      `Algorithms: ${algorithms.join(', ')}; objectives: ${raw.objective.join(', ')}.`,
      ...(skipped.length > 0 ? [`Skipped, not profiled exhaustively yet: ${skipped.join(', ')}.`] : []),
      `Seeds: ${options.randomSeeds} for random search and optuna-random, ${options.modelSeeds} for the other seeded algorithms and peers (grid: 1 run). Medians and maxima are over all runs (tables × seeds).`,
      `Budget: ${raw.budget === undefined ? 'the size of the space' : `${raw.budget} trials`}; a search stops at the optimum (the rest of its curve would be 1). A run that never reached a threshold counts as ∞ (shown as >budget).`,
      `Initial design: ${raw.initialDesign ?? `each algorithm's own (morphling/finetune 4 corners, bo/ernest 8); peers ${PAPER_DESIGN_SIZE}`} corners; corner-optimum tables use the ${raw.initialDesign ?? PAPER_DESIGN_SIZE}-corner design.`,
      ...(algorithms.some((a) => a in META_KINDS)
        ? [
            `Meta-training: leave one family out (never a test family in training; only tables over the same space), ${raw.metaIterations} MAML iterations / pooled steps per fold, one network per fold and seed (a meta-model search's seed is its network's training seed), otherwise the library defaults.`,
          ]
        : []),
      ...(algorithms.some((a) => a in PRIOR_STUDIES)
        ? [
            'Transfer (vizier): the prior studies are the same leave-one-family-out training tables, written as profile-table files.',
          ]
        : []),
    ];
    const machine = `${new Date().toISOString()}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`;
    const commandLine = `${invocation} ${process.argv.slice(2).join(' ')}`;
    const { markdown, files } = await writeBenchReport(raw.out, result, {
      command: commandLine,
      machine,
      settings,
    });
    process.stdout.write(markdown);
    process.stdout.write(`\nwrote ${files.join(', ')}\n`);
  } finally {
    bridge?.close();
  }
}
