import { resolve } from 'node:path';
import type { Objective } from '../objective/index.js';
import { readProfileTable } from '../profile/table.js';
import { resolveExperiment } from '../spec/resolve.js';
import type { ExperimentRecord } from '../store/records.js';
import { BENCH_OBJECTIVES, type BenchObjectiveName, benchObjective } from './objectives.js';
import { tableOracle } from './replay.js';
import type { BenchListing, ExperimentBenchReply } from './run-schema.js';

/** JSON with sorted keys: equal values, equal text, whatever order their fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * The bench objective an experiment's objective equals, if any: bench curves are fractions of the
 * optimum of that objective, so an overlay under any other objective would compare different things.
 * `qps` is `rps`; the per-cost objectives must have the very prices the bench used.
 */
export function matchingBenchObjective(objective: Objective): BenchObjectiveName | undefined {
  const metric = objective.metric === 'qps' ? 'rps' : objective.metric;
  return BENCH_OBJECTIVES.find((name) => {
    const bench = benchObjective(name);
    if (bench.metric !== metric || bench.goal !== objective.goal) return false;
    return metric === 'rps' || canonical(bench.pricing) === canonical(objective.pricing);
  });
}

/**
 * The bench runs to overlay on a replay experiment's convergence plot (those on its table, under its
 * objective, with their sources re-indexed) and the table's optimum, or why there are none.
 */
export async function experimentBench(
  record: Pick<ExperimentRecord, 'document' | 'baseDir'>,
  listing: BenchListing,
): Promise<ExperimentBenchReply> {
  const experiment = resolveExperiment(record.document, record.baseDir);
  if (experiment.runner.definition.name !== 'replay')
    return {
      reason: 'bench runs are replays of profile tables: only replay experiments are compared with them',
    };
  const objective = matchingBenchObjective(experiment.objective);
  if (!objective) {
    return {
      reason:
        `its objective (${experiment.objective.goal} ${experiment.objective.metric}) is none of the bench's ` +
        `(${BENCH_OBJECTIVES.join(', ')}: maximised, with the paper's prices)`,
    };
  }
  const path = resolve(record.baseDir, (experiment.runner.settings as { table: string }).table);
  let table: Awaited<ReturnType<typeof readProfileTable>>;
  try {
    table = await readProfileTable(path);
  } catch (error) {
    return { reason: `its profile table cannot be read: ${(error as Error).message}` };
  }
  const name = table.header.model.name;
  const mine = listing.runs.filter((run) => run.table === name && run.objective === objective);
  if (mine.length === 0) return { reason: `no bench run on table "${name}" under ${objective}` };
  // The same oracle the bench replays against: the optimum every bench curve was divided by.
  const optimum = tableOracle(table, benchObjective(objective)).optimum;
  if (optimum === undefined) return { reason: `no configuration of table "${name}" has a value` };
  const used = [...new Set(mine.map((run) => run.source))].sort((a, b) => a - b);
  const index = new Map(used.map((old, i) => [old, i]));
  return {
    bench: {
      table: name,
      objective,
      optimum,
      listing: {
        sources: used.map((i) => listing.sources[i] as BenchListing['sources'][number]),
        runs: mine.map((run) => ({ ...run, source: index.get(run.source) as number })),
      },
    },
  };
}
