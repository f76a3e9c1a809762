import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SpecError, type SpecProblem } from '../errors.js';
import { CandidatePosterior, logExpectedImprovement, type Points, toPoints } from '../gp/index.js';
import { combineSd, fitLevel, GpStack } from '../gp/stack.js';
import { normaliseScores } from '../metamodel/normalise.js';
import { SeededRandom } from '../metamodel/random.js';
import { taskObjective } from '../metamodel/tasks.js';
import { objectiveValue, score } from '../objective/index.js';
import { readProfileTable, rowMeasurement } from '../profile/table.js';
import type { Config, Observation } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { defineAlgorithm } from './algorithm.js';
import { type BoSettings, believingPending, feasibilityFactors, startGpSearch, suggestBo } from './bo.js';
import { gpSearchSettings } from './gp-search-settings.js';

const settings = z.strictObject({
  /**
   * Prior studies: comma-separated profile tables (JSON lines) or directories of `*.jsonl` (taken in
   * file-name order), relative to the working directory. Their order is the stack's order (first = bottom).
   * Empty: no transfer, the search is `bo` with expected improvement.
   */
  priorTables: z.string().default(''),
  /** The objective the prior tables are scored with (paper prices for the cost); it should match the experiment's. */
  objective: z.enum(['rps', 'rps_per_cost']).default('rps'),
  /** Succeeded rows taken from each prior table: its best few plus a seeded random sample. */
  priorPoints: z.coerce.number().int().min(2).max(1000).default(60),
  /** `vizier`: Vizier's weighted geometric mean of the top and prior levels' sds; `top`: the top level's alone. */
  variance: z.enum(['vizier', 'top']).default('vizier'),
  /** EI's minimum improvement, as a fraction of the best score observed (the scale the stack works in). */
  xi: z.coerce.number().min(0).default(0.01),
  ...gpSearchSettings,
});

export type VizierSettings = z.infer<typeof settings>;

/**
 * Google Vizier's transfer learning (Golovin et al., KDD 2017, section 3.3), the paper's "Vizier"
 * baseline: a stack of Gaussian processes (src/gp/stack.ts). Each prior study — a profile table of
 * another model, `priorTables` — is one level, fitted to the residuals of its data with respect to the
 * levels below; the current experiment's GP sits on top, fitted to the residuals of its succeeded trials.
 * The predictive mean is the sum of the levels' means; the sd is Vizier's weighted geometric mean of the
 * top level's sd and the prior stack's (`variance: vizier`, β = n_top / (n_top + n_prior level)) or the
 * top level's alone (`variance: top`). Expected improvement over every unmeasured configuration.
 *
 * - Scale: every study's scores are divided by its best (normalise.ts: the best is 1), so a 50-RPS and a
 *   5000-RPS model stack sensibly; the current study by its best observed score so far. `xi` and the
 *   means are in these units.
 * - Prior data: succeeded rows only (infeasible rows of another model say little about this one), mapped
 *   into the experiment's space with `space.canonical`; rows with values outside it are skipped. A table
 *   whose knob names differ from the experiment's is an error. Each table contributes at most
 *   `priorPoints` rows (its 5 best, the rest a seeded sample) so a fit stays in milliseconds.
 * - The fitted prior stack is memoised per (tables and their mtimes, objective, priorPoints, seed,
 *   restarts, space) for the process, so repeated calls of this pure algorithm do not refit it.
 * - Corner design, infeasible/failed penalty, kriging-believer batches, never a repeated configuration:
 *   as `bo`. With no succeeded trial yet (and the design used up or empty) the picks are the prior
 *   stack's best predicted configurations. Without prior tables the search is `bo` (EI, same settings).
 */
export const vizier = defineAlgorithm({
  name: 'vizier',
  description:
    'Google Vizier transfer learning: a stack of GPs on residuals of prior profile tables, EI (bo without priors)',
  settings,
  create: (options) => ({
    suggest: ({ space, history, count }) => suggestVizier(space, history, count, options),
  }),
});

export async function suggestVizier(
  space: SearchSpace,
  history: readonly Observation[],
  count: number,
  options: VizierSettings,
): Promise<Config[]> {
  if (count <= 0) return [];
  const paths = await priorTablePaths(options.priorTables);
  if (paths.length === 0) return suggestBo(space, history, count, boSettings(options));
  const prior = await priorStack(space, paths, options);

  const { succeeded, picks, pool, wanted, candidates } = startGpSearch(space, history, count, options);
  if (pool.length === 0) return picks;
  const chosen = stackPicks(space, prior, candidates, history, succeeded, picks, wanted, options);
  for (const index of chosen) picks.push(pool[index] as Config);
  return picks;
}

/** `bo` with expected improvement and this search's shared settings (its own `xi` included). */
function boSettings(options: VizierSettings): BoSettings {
  return { ...options, acquisition: 'ei', ucbBeta: 2 };
}

/** EI of the stack with the current study on top, `wanted` times, believing each pick before the next. */
function stackPicks(
  space: SearchSpace,
  prior: GpStack,
  candidates: Points,
  history: readonly Observation[],
  succeeded: readonly Observation[],
  picks: readonly Config[],
  wanted: number,
  options: VizierSettings,
): number[] {
  const priorAtCandidates = prior.predict(candidates);
  const feasibility = feasibilityFactors(space, candidates, history, options.infeasibleRadius);
  const taken = new Uint8Array(candidates.count);
  const argmax = (value: Float64Array): number => {
    let best = -1;
    for (let j = 0; j < candidates.count; j++) {
      if (taken[j]) continue;
      if (best < 0 || (value[j] as number) > (value[best] as number)) best = j;
    }
    taken[best] = 1;
    return best;
  };
  const value = new Float64Array(candidates.count);

  if (succeeded.length === 0) {
    // Nothing of this study yet: the prior stack's best guesses.
    for (let j = 0; j < candidates.count; j++) {
      value[j] = (priorAtCandidates.mean[j] as number) + Math.log(feasibility[j] as number);
    }
    return Array.from({ length: wanted }, () => argmax(value));
  }

  // The current study, normalised by its best so far, as residuals of the prior stack.
  const x = toPoints(
    succeeded.map((o) => space.encode(o.config)),
    space.dimension,
  );
  const y = normaliseScores(succeeded.map((o) => o.score as number)).values;
  const residuals = prior.residuals(x, y);
  const top = fitLevel(x, residuals, {
    restarts: options.restarts,
    seed: options.seed,
    fallbackScale: prior.levels.at(-1)?.scale,
  });
  const priorAtObserved = prior.predict(x).mean;
  const topAtObserved = top.trainingMean();
  let incumbent = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.count; i++) {
    incumbent = Math.max(incumbent, (priorAtObserved[i] as number) + (topAtObserved[i] as number));
  }

  // Pending and running trials (and design picks of this call) believed at the top level's mean.
  const model = believingPending(space, top.gp, history, picks);
  const posterior = new CandidatePosterior(model, candidates);
  const priorCount = prior.topCount;
  const topCount = model.x.count;

  const chosen: number[] = [];
  while (chosen.length < wanted) {
    for (let j = 0; j < candidates.count; j++) {
      const mean =
        (priorAtCandidates.mean[j] as number) + top.shift + top.scale * (posterior.mean[j] as number);
      const topSd = top.scale * Math.sqrt(posterior.variance[j] as number);
      const sd =
        options.variance === 'vizier'
          ? combineSd(topSd, topCount, priorAtCandidates.sd[j] as number, priorCount, prior.alpha)
          : topSd;
      value[j] = logExpectedImprovement(mean, sd, incumbent, options.xi) + Math.log(feasibility[j] as number);
    }
    const best = argmax(value);
    chosen.push(best);
    if (chosen.length < wanted) posterior.believe(best);
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------
// Prior studies

const SETTING = 'spec.algorithm.algorithmSettings.priorTables';

/** The table files named by the setting: files as given, directories expanded to their `*.jsonl`. */
export async function priorTablePaths(setting: string): Promise<string[]> {
  const entries = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const paths: string[] = [];
  const problems: SpecProblem[] = [];
  for (const entry of entries) {
    const path = resolve(entry);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      problems.push({
        path: SETTING,
        message: `cannot read prior table "${entry}" (${(error as NodeJS.ErrnoException).code ?? error})`,
      });
      continue;
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((name) => name.endsWith('.jsonl')).sort();
      if (names.length === 0) problems.push({ path: SETTING, message: `"${entry}" holds no *.jsonl tables` });
      for (const name of names) paths.push(join(path, name));
    } else paths.push(path);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return paths;
}

/** Fitted prior stacks by (tables, objective, subsampling, space); few entries, oldest dropped first. */
const memo = new Map<string, Promise<GpStack>>();
const MEMO_SIZE = 16;

async function priorStack(
  space: SearchSpace,
  paths: readonly string[],
  options: VizierSettings,
): Promise<GpStack> {
  const files = await Promise.all(
    paths.map(async (path) => {
      const info = await stat(path);
      return [path, info.mtimeMs, info.size];
    }),
  );
  const key = JSON.stringify({
    files,
    objective: options.objective,
    priorPoints: options.priorPoints,
    seed: options.seed,
    restarts: options.restarts,
    space: space.toJSON(),
  });
  let stack = memo.get(key);
  if (!stack) {
    stack = fitPriorStack(space, paths, options);
    memo.set(key, stack);
    stack.catch(() => memo.delete(key)); // a fixed table is read again next time
    while (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  }
  return stack;
}

let priorFits = 0;

/** How many prior stacks this process has fitted (the memo's misses), for tests and diagnostics. */
export function priorStackFits(): number {
  return priorFits;
}

async function fitPriorStack(
  space: SearchSpace,
  paths: readonly string[],
  options: VizierSettings,
): Promise<GpStack> {
  priorFits++;
  const studies = [];
  const problems: SpecProblem[] = [];
  for (const [index, path] of paths.entries()) {
    try {
      studies.push(await priorStudy(space, path, index, options));
    } catch (error) {
      if (error instanceof SpecError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return GpStack.fit(studies, { restarts: options.restarts, seed: options.seed });
}

/** One prior table as a study of the experiment's space: normalised scores of a subsample of its rows. */
async function priorStudy(
  space: SearchSpace,
  path: string,
  index: number,
  options: VizierSettings,
): Promise<{ x: Points; y: number[] }> {
  const table = await readProfileTable(path);
  const names = (specs: readonly { name: string }[]) => specs.map((p) => p.name).sort();
  const tableNames = names(table.space.parameters);
  const spaceNames = names(space.parameters);
  if (tableNames.join('\n') !== spaceNames.join('\n')) {
    throw new SpecError([
      {
        path,
        message: `prior table "${table.header.model.name}" has knobs [${tableNames.join(', ')}], the experiment's space has [${spaceNames.join(', ')}]`,
      },
    ]);
  }
  const objective = taskObjective(options.objective);
  const points: { x: number[]; score: number }[] = [];
  for (const row of table.rows) {
    if (row.status !== 'succeeded') continue;
    let config: Config;
    try {
      config = space.canonical(row.config);
    } catch {
      continue; // a value outside the experiment's space
    }
    let value: number;
    try {
      value = score(objective.goal, objectiveValue(objective, rowMeasurement(row), config));
    } catch {
      continue; // the row lacks the objective's metric
    }
    if (Number.isFinite(value)) points.push({ x: space.encode(config), score: value });
  }
  if (points.length < 2) {
    throw new SpecError([
      {
        path,
        message: `prior table "${table.header.model.name}" has ${points.length} succeeded rows with "${options.objective}" inside the experiment's space; at least 2 are needed`,
      },
    ]);
  }
  const normalised = normaliseScores(points.map((p) => p.score)).values;
  const order = points.map((_, i) => i).sort((a, b) => (normalised[b] as number) - (normalised[a] as number));
  let chosen = order;
  if (points.length > options.priorPoints) {
    const top = Math.min(5, Math.floor(options.priorPoints / 4));
    const rest = order.slice(top);
    const sample = new SeededRandom(options.seed * 7919 + index).sample(
      rest.length,
      options.priorPoints - top,
    );
    chosen = [...order.slice(0, top), ...sample.map((i) => rest[i] as number)];
  }
  return {
    x: toPoints(
      chosen.map((i) => (points[i] as { x: number[] }).x),
      space.dimension,
    ),
    y: chosen.map((i) => normalised[i] as number),
  };
}
