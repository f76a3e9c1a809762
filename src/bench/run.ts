import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Algorithm, AlgorithmDefinition } from '../algorithms/algorithm.js';
import { cornerDesign } from '../algorithms/initial-design.js';
import { findAlgorithm } from '../algorithms/registry.js';
import { disposeParams } from '../metamodel/mlp.js';
import { trainMetamodel } from '../metamodel/train.js';
import { type MetamodelKind, saveMetamodel } from '../metamodel/weights-file.js';
import { formatProfileTable, type ProfileTable, readProfileTable } from '../profile/table.js';
import { type FamilySplit, leaveOneFamilyOut, tableFamily } from './families.js';
import { type BenchObjectiveName, benchObjective } from './objectives.js';
import { isPeer, type PeerBridge, type PeerName, peerAlgorithm } from './peers.js';
import { optimumInDesign, replay, tableOracle } from './replay.js';
import { syntheticTables } from './synthetic.js';

/** Own algorithms that need a pre-trained network, and which kind. */
export const META_KINDS: Readonly<Record<string, MetamodelKind>> = {
  morphling: 'maml',
  finetune: 'pooled',
  'morphling-gp': 'pooled',
};

/**
 * Own algorithms that transfer from prior studies given as profile-table files (`priorTables`), and
 * the value of their `objective` setting for each bench objective (absent: not supported).
 */
export const PRIOR_STUDIES: Readonly<Record<string, Partial<Record<BenchObjectiveName, string>>>> = {
  vizier: { rps: 'rps', rps_per_cost: 'rps_per_cost' },
};

/** Algorithms whose seeds are cheap and whose spread is the point: they get the larger seed count. */
const RANDOM_LIKE = new Set(['random', 'optuna-random']);

/** The paper's initial design: the 2³ = 8 min/max corners of the first three numeric knobs. */
export const PAPER_DESIGN_SIZE = 8;

export interface BenchOptions {
  /** Profile tables (`.jsonl` files, or folders of them). */
  tables: readonly ProfileTable[];
  /** Own algorithms (registry names) and peers (PEERS), in report order. */
  algorithms: readonly string[];
  objectives: readonly BenchObjectiveName[];
  /** Seeds of random search (and optuna-random). */
  randomSeeds: number;
  /** Seeds of the other randomised algorithms (those with a `seed` setting) and of the peers. */
  modelSeeds: number;
  /** Trials per search at most; default: the size of the table's space. */
  budget?: number | undefined;
  /**
   * Initial-design size for every algorithm that has one and for the peers; default: each algorithm's
   * own default, and the paper's 8 corners for the peers and the corner-optimum test.
   */
  initialDesign?: number | undefined;
  /** MAML iterations and pooled-regression steps of every leave-one-family-out training. */
  metaIterations: number;
  /** Extra settings per algorithm (`{bo: {acquisition: 'ucb'}}`), parsed by its settings schema. */
  settings?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * When seeds 1 and 2 of an algorithm search a table identically, copy their run for the other seeds
   * instead of searching again (default true; never for the meta-model searches, whose seed is also
   * the seed of their network's leave-one-family-out training).
   */
  copyDeterministic?: boolean;
  /** The peer bridge (required when `algorithms` names peers). */
  bridge?: PeerBridge | undefined;
  log?: (line: string) => void;
}

/** One table under one objective. */
export interface TaskInfo {
  objective: BenchObjectiveName;
  table: string;
  family: string;
  synthetic: boolean;
  configs: number;
  feasible: number;
  optimum: number;
  /** The exhaustive optimum is one of the initial-design corners (it flatters every method). */
  cornerOptimum: boolean;
}

/** One search: an algorithm, a seed, a task. */
export interface RunRecord {
  objective: BenchObjectiveName;
  table: string;
  family: string;
  algorithm: string;
  seed: number | null;
  cornerOptimum: boolean;
  curve: number[];
  budget: number;
  reachedOptimum: boolean;
  ended: 'optimum' | 'budget' | 'exhausted';
  seconds: number;
  duplicates?: number;
  fallbacks?: number;
  /**
   * Not searched: seeds 1 and 2 tried the very same configurations in the same order on this table, so
   * the algorithm ignores its seed here, and this run is a copy of the run with that seed.
   */
  copiedFrom?: number | null;
}

export interface TrainingRecord {
  objective: BenchObjectiveName;
  family: string;
  kind: MetamodelKind;
  seed: number;
  tables: string[];
  seconds: number;
  finalLoss: number;
}

export interface BenchResult {
  /** The algorithms and peers asked for, in report order. */
  algorithms: string[];
  tasks: TaskInfo[];
  runs: RunRecord[];
  trainings: TrainingRecord[];
  /** Things not run, and why. */
  skipped: string[];
  seconds: number;
}

/** Reads profile tables from files and folders (every `*.jsonl` in a folder, sorted). */
export async function loadTables(paths: readonly string[]): Promise<ProfileTable[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((name) => name.endsWith('.jsonl')).sort();
      files.push(...names.map((name) => join(path, name)));
    } else files.push(path);
  }
  return Promise.all(files.map((file) => readProfileTable(file)));
}

/** The tables of `--tables` plus `synthetic` synthetic ones, with distinct model names. */
export async function benchTables(paths: readonly string[], synthetic: number): Promise<ProfileTable[]> {
  const tables = [...(await loadTables(paths)), ...syntheticTables(synthetic)];
  const names = new Set<string>();
  for (const table of tables) {
    const name = table.header.model.name;
    if (names.has(name)) throw new Error(`two profile tables are both of model "${name}"`);
    names.add(name);
  }
  return tables;
}

/** Checks algorithm names; returns the unknown ones. */
export function unknownAlgorithms(names: readonly string[]): string[] {
  return names.filter((name) => !findAlgorithm(name) && !isPeer(name));
}

/** The seeds an algorithm runs with (null: it has no seed, one run). */
export function seedsFor(
  name: string,
  options: Pick<BenchOptions, 'randomSeeds' | 'modelSeeds'>,
): (number | null)[] {
  const definition = findAlgorithm(name);
  if (definition && !('seed' in definition.settings.shape)) return [null];
  const count = RANDOM_LIKE.has(name) ? options.randomSeeds : options.modelSeeds;
  return Array.from({ length: count }, (_, i) => i + 1);
}

/**
 * The replay benchmark: every algorithm on every table under every objective, over seeds, with
 * leave-one-family-out meta-training for morphling and finetune. Sequential (one search at a time).
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const result: BenchResult = {
    algorithms: [...options.algorithms],
    tasks: [],
    runs: [],
    trainings: [],
    skipped: [],
    seconds: 0,
  };
  const unknown = unknownAlgorithms(options.algorithms);
  if (unknown.length > 0) throw new Error(`unknown algorithm(s): ${unknown.join(', ')}`);
  const peers = options.algorithms.filter(isPeer);
  if (peers.length > 0 && !options.bridge) throw new Error('peers need a peer bridge');
  const skippedPeers = new Set<string>();
  if (options.bridge && peers.length > 0) {
    const available = await options.bridge.availability();
    for (const peer of peers) {
      const why = available[peer];
      if (why !== true) {
        skippedPeers.add(peer);
        result.skipped.push(`peer ${peer}: ${why}`);
        log(`skipping peer ${peer}: ${why}`);
      }
    }
  }
  const splits = leaveOneFamilyOut(options.tables);
  const weightsDir = await mkdtemp(join(tmpdir(), 'morphling-bench-'));
  try {
    for (const objectiveName of options.objectives) {
      const objective = benchObjective(objectiveName);
      for (const split of splits) {
        // One network per kind and seed: the seed of a meta-model search is the seed of its training.
        const weights = new Map<string, Promise<string | undefined>>();
        const metamodel = (kind: MetamodelKind, seed: number) => {
          let path = weights.get(`${kind} ${seed}`);
          if (!path) {
            path = trainFold(split, kind, seed, objectiveName, options, weightsDir, result, log);
            weights.set(`${kind} ${seed}`, path);
          }
          return path;
        };
        let priors: Promise<string | undefined> | undefined;
        const priorTables = () => {
          priors ??= writePriorTables(split, objectiveName, weightsDir, result, log);
          return priors;
        };
        for (const table of split.test) {
          const name = table.header.model.name;
          const oracle = tableOracle(table, objective);
          if (oracle.optimum === undefined) {
            result.skipped.push(`${objectiveName} ${name}: no configuration has a value`);
            continue;
          }
          const space = table.space;
          const design = cornerDesign(space, { size: options.initialDesign ?? PAPER_DESIGN_SIZE });
          const cornerOptimum = optimumInDesign(oracle, design);
          const family = tableFamily(table);
          result.tasks.push({
            objective: objectiveName,
            table: name,
            family,
            synthetic: table.header.synthetic === true,
            configs: space.size,
            feasible: oracle.feasible,
            optimum: oracle.optimum,
            cornerOptimum,
          });
          for (const algorithmName of options.algorithms) {
            if (skippedPeers.has(algorithmName)) continue;
            const kind = META_KINDS[algorithmName];
            if (kind && !(await metamodel(kind, 1))) continue; // said once by trainFold
            const extra: Record<string, unknown> = {};
            if (algorithmName in PRIOR_STUDIES) {
              const files = await priorTables();
              if (!files) continue; // said once by writePriorTables
              extra.priorTables = files;
              extra.objective = PRIOR_STUDIES[algorithmName]?.[objectiveName];
            }
            const runs: RunRecord[] = [];
            let firstTried: string | undefined;
            let deterministic = false;
            for (const seed of seedsFor(algorithmName, options)) {
              if (deterministic) {
                // Seeds 1 and 2 searched identically: the seed does not matter on this table.
                runs.push({ ...(runs[0] as RunRecord), seed, seconds: 0, copiedFrom: runs[0]?.seed ?? null });
                continue;
              }
              const weightsPath = kind ? await metamodel(kind, seed ?? 1) : undefined;
              let algorithm: Algorithm;
              if (isPeer(algorithmName)) {
                algorithm = peerAlgorithm(options.bridge as PeerBridge, {
                  peer: algorithmName as PeerName,
                  seed: seed ?? 1,
                  design,
                });
              } else {
                algorithm = createAlgorithm(
                  findAlgorithm(algorithmName) as AlgorithmDefinition,
                  seed,
                  weightsPath,
                  options,
                  extra,
                );
              }
              const trajectory = await replay(algorithm, oracle, { budget: options.budget });
              const record: RunRecord = {
                objective: objectiveName,
                table: name,
                family,
                algorithm: algorithmName,
                seed,
                cornerOptimum,
                curve: trajectory.curve,
                budget: trajectory.budget,
                reachedOptimum: trajectory.reachedOptimum,
                ended: trajectory.ended,
                seconds: trajectory.seconds,
              };
              if ('stats' in algorithm) {
                const stats = (algorithm as { stats: { duplicates: number; fallbacks: number } }).stats;
                record.duplicates = stats.duplicates;
                record.fallbacks = stats.fallbacks;
              }
              runs.push(record);
              if (runs.length === 1) firstTried = JSON.stringify(trajectory.tried);
              // A meta-model search's seed is also its network's training seed: never a copy.
              else if (runs.length === 2 && !kind && options.copyDeterministic !== false)
                deterministic = JSON.stringify(trajectory.tried) === firstTried;
            }
            result.runs.push(...runs);
            log(runLine(objectiveName, name, algorithmName, runs));
          }
        }
      }
    }
  } finally {
    await rm(weightsDir, { recursive: true, force: true });
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function createAlgorithm(
  definition: AlgorithmDefinition,
  seed: number | null,
  metamodel: string | undefined,
  options: BenchOptions,
  extra: Record<string, unknown> = {},
): Algorithm {
  const shape = definition.settings.shape as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  if (seed !== null && 'seed' in shape) settings.seed = seed;
  if (options.initialDesign !== undefined && 'initialDesign' in shape)
    settings.initialDesign = options.initialDesign;
  if (metamodel !== undefined) settings.metamodel = metamodel;
  Object.assign(settings, extra);
  Object.assign(settings, options.settings?.[definition.name] ?? {});
  return definition.create(definition.settings.parse(settings));
}

/** Trains the network of one leave-one-family-out fold; undefined (and a note) when it has no tables. */
async function trainFold(
  split: FamilySplit,
  kind: MetamodelKind,
  seed: number,
  objectiveName: BenchObjectiveName,
  options: BenchOptions,
  dir: string,
  result: BenchResult,
  log: (line: string) => void,
): Promise<string | undefined> {
  const algorithm = kind === 'maml' ? 'morphling' : 'finetune';
  const tests = split.test.map((t) => t.header.model.name).join(', ');
  if (split.train.length === 0) {
    const why =
      `${algorithm} (${objectiveName}) not run on family ${split.family} (${tests}): no table of another ` +
      'family over the same space to train on';
    result.skipped.push(why);
    log(`skipping ${why}`);
    return undefined;
  }
  const space = split.test[0]?.space;
  const objective = benchObjective(objectiveName);
  const trained = await trainMetamodel(split.train, {
    kind,
    objective,
    space,
    maml: { iterations: options.metaIterations, seed },
    pooled: { steps: options.metaIterations, seed },
  });
  const path = join(dir, `${objectiveName}-${kind}-${result.trainings.length}.json`);
  await saveMetamodel(path, trained.description, trained.params);
  disposeParams(trained.params);
  const finalLoss = Number(trained.description.training.finalLoss);
  result.trainings.push({
    objective: objectiveName,
    family: split.family,
    kind,
    seed,
    tables: split.train.map((t) => t.header.model.name),
    seconds: trained.seconds,
    finalLoss,
  });
  log(
    `trained ${kind} (seed ${seed}) for held-out family ${split.family} (${objectiveName}) on ${split.train.length} tables: ` +
      `${trained.seconds.toFixed(1)} s, final loss ${finalLoss.toPrecision(3)}`,
  );
  return path;
}

/**
 * Writes a fold's training tables as prior studies for the transfer algorithms (vizier); undefined
 * (and a note) when the fold has none, or the objective is not one they support.
 */
async function writePriorTables(
  split: FamilySplit,
  objectiveName: BenchObjectiveName,
  dir: string,
  result: BenchResult,
  log: (line: string) => void,
): Promise<string | undefined> {
  const tests = split.test.map((t) => t.header.model.name).join(', ');
  for (const [algorithm, objectives] of Object.entries(PRIOR_STUDIES)) {
    const why =
      split.train.length === 0
        ? 'no table of another family over the same space to use as a prior study'
        : objectives[objectiveName] === undefined
          ? `its objective setting has no ${objectiveName}`
          : undefined;
    if (why) {
      const line = `${algorithm} (${objectiveName}) not run on family ${split.family} (${tests}): ${why}`;
      result.skipped.push(line);
      log(`skipping ${line}`);
      return undefined;
    }
  }
  const folder = await mkdtemp(join(dir, `priors-${objectiveName}-`));
  const files: string[] = [];
  for (const table of split.train) {
    const file = join(folder, `${table.header.model.name.replace(/[^\w.-]/g, '_')}.jsonl`);
    await writeFile(file, formatProfileTable(table.header, table.rows));
    files.push(file);
  }
  return files.join(',');
}

function runLine(objective: string, table: string, algorithm: string, runs: readonly RunRecord[]): string {
  const costs = runs.map((r) => (r.reachedOptimum ? r.curve.length : undefined));
  const found = costs.filter((c) => c !== undefined) as number[];
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const copied = runs.filter((r) => r.copiedFrom !== undefined).length;
  const sorted = [...found].sort((a, b) => a - b);
  const median = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 2)] : undefined;
  return (
    `[${objective}] ${algorithm} on ${table}: optimum in ${found.length}/${runs.length} runs` +
    (median !== undefined
      ? `, trials to it ${sorted[0]}..${sorted[sorted.length - 1]} (median ~${median})`
      : '') +
    (copied > 0 ? `; seeds 1 and 2 searched identically, ${copied} runs copied` : '') +
    ` — ${seconds.toFixed(1)} s`
  );
}
