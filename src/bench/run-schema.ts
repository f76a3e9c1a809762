import { z } from 'zod';

/**
 * One line of a bench's runs.jsonl (a `RunRecord` of run.ts), as `morphling serve` and `morphling
 * report` read it back: the boundary where files written by any version, or edited by hand, come in.
 * Fields the dashboard does not use are kept optional, and unknown ones are dropped.
 */
export const BenchRunSchema = z.object({
  objective: z.string().min(1).describe('the bench objective: rps, rps_per_cost or rps_per_cost_nocpu'),
  table: z.string().min(1).describe('the model name of the profile table'),
  family: z.string(),
  algorithm: z.string().min(1),
  seed: z.int().nullable().describe('null: the algorithm has no seed (one run)'),
  cornerOptimum: z.boolean().describe('the optimum is an initial-design corner (reported apart)'),
  curve: z
    .array(z.number().min(0))
    .describe('best-so-far objective / table optimum after trial 1, 2, ...; it ends at the optimum'),
  budget: z.int().min(0).describe('trials the search was allowed'),
  reachedOptimum: z.boolean(),
  ended: z.enum(['optimum', 'budget', 'exhausted']),
  seconds: z.number().optional(),
  duplicates: z.int().optional(),
  fallbacks: z.int().optional(),
  copiedFrom: z.int().nullable().optional(),
});
export type BenchRun = z.infer<typeof BenchRunSchema>;

/** A line of a runs file that is not a run, and why: reported, never fatal. */
export interface RunsProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

/** Lines past this many problems are counted, not described (a file that is not a runs file at all). */
export const MAX_PROBLEMS_PER_FILE = 20;

/** Parses runs.jsonl text: the valid runs, and the lines that are not (blank lines are skipped). */
export function parseRuns(text: string): { runs: BenchRun[]; problems: RunsProblem[]; invalid: number } {
  const runs: BenchRun[] = [];
  const problems: RunsProblem[] = [];
  let invalid = 0;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const problem = (message: string) => {
      invalid += 1;
      if (problems.length < MAX_PROBLEMS_PER_FILE) problems.push({ line: index + 1, message });
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problem(`not JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = BenchRunSchema.safeParse(value);
    if (parsed.success) runs.push(parsed.data);
    else
      problem(
        parsed.error.issues
          .map((issue) =>
            issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
          )
          .join('; '),
      );
  });
  return { runs, problems, invalid };
}

/** One runs file as `GET /api/bench` lists it. */
export const BenchSourceSchema = z.object({
  path: z.string().describe('the file, relative to the working folder of the server when inside it'),
  runs: z.int().min(0).describe('valid runs read from it'),
  invalid: z.int().min(0).describe('lines that are not runs'),
  problems: z
    .array(z.object({ line: z.int().positive(), message: z.string() }))
    .describe(`the first ${MAX_PROBLEMS_PER_FILE} invalid lines and why`),
  error: z.string().optional().describe('why the file or folder could not be read at all'),
});
export type BenchSource = z.infer<typeof BenchSourceSchema>;

/** Every run found, each with the index of its source file in `sources`. */
export const BenchListingSchema = z.object({
  sources: z.array(BenchSourceSchema),
  runs: z.array(BenchRunSchema.extend({ source: z.int().min(0).describe('index into sources') })),
});
export type BenchListing = z.infer<typeof BenchListingSchema>;
export type SourcedRun = BenchListing['runs'][number];

/**
 * The bench runs an experiment's convergence plot is overlaid with: those on the profile table its
 * replay runner answers from, under the bench objective that equals the experiment's objective, and
 * that table's optimum under it (what the bench divides by).
 */
export const ExperimentBenchSchema = z.object({
  table: z.string().describe('the model name of the replayed profile table'),
  objective: z.string().describe('the bench objective that equals the experiment`s objective'),
  optimum: z.number().describe('the best objective value over the table: normalised 1'),
  listing: BenchListingSchema.describe('the runs on that table under that objective'),
});
export type ExperimentBench = z.infer<typeof ExperimentBenchSchema>;

/** `GET /api/experiments/:name/bench`: the overlay, or why there is none. */
export const ExperimentBenchReplySchema = z.object({
  bench: ExperimentBenchSchema.optional(),
  reason: z.string().optional().describe('why there is no overlay (absent when there is one)'),
});
export type ExperimentBenchReply = z.infer<typeof ExperimentBenchReplySchema>;
