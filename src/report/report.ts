import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BenchRunsReader } from '../bench/runs-files.js';
import { NotFoundError } from '../errors.js';
import type { ParameterSpec } from '../space/parameter.js';
import { SearchSpace } from '../space/search-space.js';
import type { ExperimentDocument } from '../spec/schema.js';
import type { ExperimentRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import {
  type BenchReportData,
  type ExperimentOverview,
  isBenchReport,
  REPORT_DATA_ID,
  type ReportData,
  type ReportFileData,
} from './types.js';

/** Where `npm run build` puts the UI bundles (scripts/build-ui.mjs); the same from src/ and dist/. */
export const UI_DIST_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/** The space, its size and the objective of a stored experiment, from its validated document. */
export function experimentOverview(record: Pick<ExperimentRecord, 'document'>): ExperimentOverview {
  const spec = (record.document as ExperimentDocument).spec;
  const parameters: ParameterSpec[] = spec.tunableParameters.flatMap((group) =>
    group.parameters.map((parameter) => ({ ...parameter, category: group.category })),
  );
  return {
    spaceSize: new SearchSpace(parameters).size,
    parameters,
    objective: { metric: spec.objective.objectiveMetricName, goal: spec.objective.type },
  };
}

export async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** One experiment with all of its trials, in the shapes of the HTTP API. */
export async function loadReportData(store: Store, name: string, now = new Date()): Promise<ReportData> {
  const experiment = await store.getExperiment(name);
  if (!experiment) throw new NotFoundError(`no experiment named "${name}" in this store`);
  const trials = await store.listTrials(name);
  const best = trials.find((t) => t.id === experiment.bestTrialId);
  const data: ReportData = {
    experiment,
    summary: experimentOverview(experiment),
    trials,
    generatedAt: now.toISOString(),
    version: await packageVersion(),
  };
  if (best) data.best = best;
  return data;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** JSON that cannot end its `<script>` element early: every `<` (and the JS line separators) escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Code inlined into `<script>` / `<style>`: a closing tag or comment opener inside it is escaped the way
 * the language allows (`<\/script` is `</script` in JS strings and regexes, `<\/style` in CSS).
 */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1').replace(/<!--/g, '<\\!--');
}

async function readBundle(file: string): Promise<string> {
  try {
    return await readFile(`${UI_DIST_DIR}${file}`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`the report bundle ${UI_DIST_DIR}${file} is missing: run \`npm run build\` first`);
    }
    throw error;
  }
}

/** The runs a benchmark report shows (read as `morphling serve --bench` reads them). */
export async function loadBenchReportData(
  paths: readonly string[],
  now = new Date(),
): Promise<BenchReportData> {
  return {
    kind: 'bench',
    listing: await new BenchRunsReader(paths).read(),
    generatedAt: now.toISOString(),
    version: await packageVersion(),
  };
}

/**
 * A single self-contained HTML file: the report bundle's JS and CSS inlined and the experiment's (or
 * the benchmark's) data embedded as JSON, so that it opens from disk with no network access.
 */
export async function reportHtml(data: ReportFileData): Promise<string> {
  const [script, style] = await Promise.all([readBundle('report.js'), readBundle('app.css')]);
  const title = isBenchReport(data) ? 'Benchmarks' : data.experiment.name;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="morphling ${escapeHtml(data.version)}">
<title>${escapeHtml(title)} · Morphling report</title>
<style>${inlineSafe(style, 'style')}</style>
</head>
<body>
<div id="app"></div>
<noscript>This report draws its tables and charts with JavaScript; the data is in the element #${REPORT_DATA_ID}.</noscript>
<script type="application/json" id="${REPORT_DATA_ID}">${scriptJson(data)}</script>
<script>${inlineSafe(script, 'script')}</script>
</body>
</html>
`;
}
