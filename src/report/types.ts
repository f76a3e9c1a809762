import type { BenchListing, ExperimentBench } from '../bench/run-schema.js';
import type { ParameterSpec } from '../space/parameter.js';
import type { ExperimentRecord, TrialRecord } from '../store/records.js';

/**
 * What the dashboard and the HTML report show about one experiment. The shapes are those of the HTTP
 * API (`GET /api/experiments/:name` and `.../trials`), so the same UI code renders a live experiment
 * and a report file.
 */
export interface ExperimentOverview {
  spaceSize: number;
  parameters: ParameterSpec[];
  objective: { metric: string; goal: 'maximize' | 'minimize' };
}

/** `GET /api/experiments/:name`. */
export interface ExperimentDetail {
  experiment: ExperimentRecord;
  summary: ExperimentOverview;
  best?: TrialRecord;
}

/** Everything a report file embeds: one experiment with all of its trials. */
export interface ReportData extends ExperimentDetail {
  trials: TrialRecord[];
  /** When the report was written (ISO time). */
  generatedAt: string;
  /** The morphling version that wrote it. */
  version: string;
  /** Bench runs on the experiment's table, overlaid on its convergence plot (`--bench`). */
  bench?: ExperimentBench;
}

/** What a benchmark report file (`morphling report --bench DIR`) embeds: the runs the Benchmarks page shows. */
export interface BenchReportData {
  kind: 'bench';
  listing: BenchListing;
  generatedAt: string;
  version: string;
}

/** The data of either kind of report file. */
export type ReportFileData = ReportData | BenchReportData;

export function isBenchReport(data: ReportFileData): data is BenchReportData {
  return 'kind' in data && data.kind === 'bench';
}

/** One problem with a submitted experiment, as `POST /api/validate` reports it. */
export interface SpecProblemReport {
  path: string;
  message: string;
  /** 1-based line of the submitted YAML, when the field could be located. */
  line?: number;
}

/** The id of the `<script type="application/json">` element a report file embeds its `ReportData` in. */
export const REPORT_DATA_ID = 'morphling-report';
