import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BUDGETS,
  bestWithin,
  formatCost,
  median,
  searchCost,
  summariseCosts,
  THRESHOLDS,
} from './metrics.js';
import type { BenchObjectiveName } from './objectives.js';
import type { BenchResult, RunRecord, TaskInfo } from './run.js';
import { lineChartSvg } from './svg.js';

/** What the report says about how the bench was run (free text lines). */
export interface ReportContext {
  command?: string;
  machine?: string;
  settings: string[];
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, header.map(() => '---'), ...rows];
  return lines.map((line) => `| ${line.join(' | ')} |`).join('\n');
}

function percent(threshold: number): string {
  return `${Math.round(threshold * 100)}%`;
}

function algorithmsOf(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.map((r) => r.algorithm))];
}

/** Search cost at every threshold, median / max over runs, one row per algorithm. */
export function searchCostTable(runs: readonly RunRecord[], algorithms = algorithmsOf(runs)): string {
  const rows = algorithms.map((algorithm) => {
    const mine = runs.filter((r) => r.algorithm === algorithm);
    const tasks = new Set(mine.map((r) => r.table)).size;
    const cells = THRESHOLDS.map((threshold) => {
      const s = summariseCosts(
        mine.map((r) => searchCost(r.curve, threshold)),
        mine.map((r) => r.budget),
      );
      return `${formatCost(s.median, s.budget)} / ${formatCost(s.max, s.budget)}`;
    });
    return [algorithm, `${mine.length} (${tasks})`, ...cells];
  });
  return markdownTable(['algorithm', 'runs (tables)', ...THRESHOLDS.map(percent)], rows);
}

/** Normalised best found within each budget: median (min) over runs. */
export function budgetTable(runs: readonly RunRecord[], algorithms = algorithmsOf(runs)): string {
  const rows = algorithms.map((algorithm) => {
    const mine = runs.filter((r) => r.algorithm === algorithm);
    return [
      algorithm,
      ...BUDGETS.map((budget) => {
        const values = mine.map((r) => bestWithin(r.curve, budget));
        if (values.length === 0) return '–';
        return `${median(values).toFixed(3)} (${Math.min(...values).toFixed(3)})`;
      }),
    ];
  });
  return markdownTable(['algorithm', ...BUDGETS.map((b) => `${b} trials`)], rows);
}

/** Trials to the exhaustive optimum per table: median over seeds (`>B` when most runs missed it). */
export function perTableTable(
  tasks: readonly TaskInfo[],
  runs: readonly RunRecord[],
  algorithms = algorithmsOf(runs),
): string {
  const rows = tasks.map((task) => [
    `${task.table}${task.cornerOptimum ? ' (corner)' : ''}`,
    task.family,
    `${task.feasible}/${task.configs}`,
    ...algorithms.map((algorithm) => {
      const mine = runs.filter((r) => r.table === task.table && r.algorithm === algorithm);
      if (mine.length === 0) return '–';
      const s = summariseCosts(
        mine.map((r) => searchCost(r.curve, 1)),
        mine.map((r) => r.budget),
      );
      return formatCost(s.median, s.budget);
    }),
  ]);
  return markdownTable(['table', 'family', 'feasible/configs', ...algorithms], rows);
}

/** The mean normalised best after 1..xMax trials, one line per algorithm. */
export function budgetCurveSvg(
  title: string,
  runs: readonly RunRecord[],
  xMax: number,
  algorithms = algorithmsOf(runs),
): string {
  const series = algorithms.map((algorithm) => {
    const mine = runs.filter((r) => r.algorithm === algorithm);
    const points: [number, number][] = [];
    for (let budget = 1; budget <= xMax; budget++) {
      const values = mine.map((r) => bestWithin(r.curve, budget));
      points.push([budget, values.reduce((a, b) => a + b, 0) / values.length]);
    }
    return { name: algorithm, points };
  });
  return lineChartSvg({
    title,
    xLabel: 'trials (initial design included)',
    yLabel: 'best found / optimum (mean over runs)',
    series,
    xDomain: [1, xMax],
    yDomain: [0, 1],
  });
}

function objectiveSection(
  objective: BenchObjectiveName,
  result: BenchResult,
): { markdown: string; svgs: Record<string, string> } {
  const tasks = result.tasks.filter((t) => t.objective === objective);
  const runs = result.runs.filter((r) => r.objective === objective);
  const present = new Set(runs.map((r) => r.algorithm));
  const algorithms = [...result.algorithms.filter((a) => present.has(a)), ...algorithmsOf(runs)].filter(
    (a, i, all) => all.indexOf(a) === i,
  );
  const main = runs.filter((r) => !r.cornerOptimum);
  const corner = runs.filter((r) => r.cornerOptimum);
  const cornerTasks = tasks.filter((t) => t.cornerOptimum);
  const maxBudget = Math.max(1, ...runs.map((r) => r.budget));
  const xMax = Math.min(maxBudget, 60);
  const lines: string[] = [
    `## Objective \`${objective}\``,
    '',
    `${tasks.length} tables; ${cornerTasks.length} with the exhaustive optimum on an initial-design corner ` +
      '(reported separately: the corners are tried first, so they flatter every method equally).',
    '',
  ];
  const svgs: Record<string, string> = {};
  if (main.length > 0) {
    lines.push(
      `### Search cost: trials to reach X% of the optimum, median / max over runs (${tasks.length - cornerTasks.length} tables, corner optima excluded)`,
      '',
      searchCostTable(main, algorithms),
      '',
      '### Best found within a budget, normalised to the optimum: median (min) over runs',
      '',
      budgetTable(main, algorithms),
      '',
    );
    const file = `${objective}.svg`;
    svgs[file] = budgetCurveSvg(
      `${objective}: best found vs trials (corner optima excluded)`,
      main,
      xMax,
      algorithms.filter((a) => main.some((r) => r.algorithm === a)),
    );
    lines.push(`![${objective}: best found vs trials](${file})`, '');
  }
  if (corner.length > 0) {
    lines.push(
      `### Corner-optimum tables (${cornerTasks.map((t) => t.table).join(', ')})`,
      '',
      searchCostTable(corner, algorithms),
      '',
      budgetTable(corner, algorithms),
      '',
    );
  }
  lines.push(
    '### Trials to the optimum per table (median over seeds)',
    '',
    perTableTable(tasks, runs, algorithms),
    '',
  );
  const peerRuns = runs.filter((r) => r.duplicates !== undefined);
  if (peerRuns.length > 0) {
    const rows = algorithmsOf(peerRuns).map((algorithm) => {
      const mine = peerRuns.filter((r) => r.algorithm === algorithm);
      const sum = (f: (r: RunRecord) => number) => mine.reduce((total, r) => total + f(r), 0);
      return [
        algorithm,
        String(sum((r) => r.duplicates ?? 0)),
        String(sum((r) => r.fallbacks ?? 0)),
        String(sum((r) => r.curve.length)),
      ];
    });
    lines.push(
      'Peers: repeated suggestions are answered from the history and not counted as trials; after 10 in a row the untried configuration nearest the repeat is tried instead (fallbacks).',
      '',
      markdownTable(['peer', 'repeats', 'fallbacks', 'trials'], rows),
      '',
    );
  }
  return { markdown: lines.join('\n'), svgs };
}

/** The Markdown report and its SVG plots (file name → content). */
export function benchReport(
  result: BenchResult,
  context: ReportContext,
): { markdown: string; svgs: Record<string, string> } {
  const objectives = [...new Set(result.tasks.map((t) => t.objective))];
  const tableRows = new Map<string, TaskInfo>();
  for (const task of result.tasks) if (!tableRows.has(task.table)) tableRows.set(task.table, task);
  const lines = [
    '# Search cost on replayed profile tables',
    '',
    ...(context.machine ? [`Machine: ${context.machine}`, ''] : []),
    ...(context.command ? ['```', context.command, '```', ''] : []),
    `Wall time ${result.seconds.toFixed(1)} s.`,
    '',
    ...context.settings.map((s) => `- ${s}`),
    '',
    markdownTable(
      ['table', 'family', 'configs', 'synthetic'],
      [...tableRows.values()].map((t) => [t.table, t.family, String(t.configs), t.synthetic ? 'yes' : 'no']),
    ),
    '',
  ];
  if (result.trainings.length > 0) {
    const seconds = result.trainings.reduce((sum, t) => sum + t.seconds, 0);
    const losses = [...new Set(result.trainings.map((t) => t.kind))].map((kind) => {
      const finalLosses = result.trainings.filter((t) => t.kind === kind).map((t) => t.finalLoss);
      return `${kind} median ${median(finalLosses).toPrecision(2)}, max ${Math.max(...finalLosses).toPrecision(2)}`;
    });
    lines.push(
      `Leave-one-family-out meta-training: ${result.trainings.length} networks, ${seconds.toFixed(1)} s in all ` +
        `(final training loss: ${losses.join('; ')}).`,
      '',
    );
  }
  const copied = result.runs.filter((r) => r.copiedFrom !== undefined);
  if (copied.length > 0) {
    const which = [...new Set(copied.map((r) => r.algorithm))].join(', ');
    lines.push(
      `${copied.length} runs (${which}) were not searched but copied: on those tables seeds 1 and 2 tried the very same ` +
        'configurations in the same order, so the algorithm ignores its seed there.',
      '',
    );
  }
  if (result.skipped.length > 0) lines.push('Not run:', '', ...result.skipped.map((s) => `- ${s}`), '');
  const svgs: Record<string, string> = {};
  for (const objective of objectives) {
    const section = objectiveSection(objective, result);
    lines.push(section.markdown);
    Object.assign(svgs, section.svgs);
  }
  return { markdown: `${lines.join('\n').trimEnd()}\n`, svgs };
}

/** Writes report.md, the SVG plots and runs.jsonl (every run's curve) into `dir`; returns the paths. */
export async function writeBenchReport(
  dir: string,
  result: BenchResult,
  context: ReportContext,
): Promise<{ markdown: string; files: string[] }> {
  await mkdir(dir, { recursive: true });
  const { markdown, svgs } = benchReport(result, context);
  const files = [join(dir, 'report.md')];
  await writeFile(files[0] as string, markdown);
  for (const [name, svg] of Object.entries(svgs)) {
    files.push(join(dir, name));
    await writeFile(join(dir, name), svg);
  }
  files.push(join(dir, 'runs.jsonl'));
  await writeFile(join(dir, 'runs.jsonl'), `${result.runs.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return { markdown, files };
}
