import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SpecError, type SpecProblem } from '../errors.js';
import type { Measurement } from '../loadgen/measurement.js';
import type { Config, ParameterSpec } from '../space/parameter.js';
import { ParameterSpecSchema } from '../space/schema.js';
import { SearchSpace } from '../space/search-space.js';

export const PROFILE_FORMAT = 'morphling-profile/1';

const HeaderSchema = z.looseObject({
  format: z.literal(PROFILE_FORMAT),
  model: z.looseObject({ name: z.string(), family: z.string().optional() }),
  machine: z.looseObject({}).optional(),
  date: z.string().optional(),
  software: z.record(z.string(), z.unknown()).optional(),
  space: z.array(ParameterSpecSchema).min(1),
  measurement: z.looseObject({}).optional(),
  /** Present and true in tables made up by code rather than measured (tests only). */
  synthetic: z.boolean().optional(),
});
export type ProfileHeader = z.infer<typeof HeaderSchema>;

const RowSchema = z.looseObject({
  config: z.record(z.string(), z.union([z.string(), z.number()])),
  status: z.enum(['succeeded', 'infeasible', 'failed']),
  metrics: z.record(z.string(), z.number()).default({}),
  reason: z.string().optional(),
});
export type ProfileRow = z.infer<typeof RowSchema>;

/** A profile table: the measured configurations of one model over one space (architecture.md). */
export class ProfileTable {
  private readonly byKey: ReadonlyMap<string, ProfileRow>;

  constructor(
    readonly header: ProfileHeader,
    readonly rows: readonly ProfileRow[],
    readonly space: SearchSpace,
  ) {
    this.byKey = new Map(rows.map((row) => [space.key(row.config), row]));
  }

  /** Configurations of the space that have a row. */
  get measured(): number {
    return this.byKey.size;
  }

  /** Every configuration of the space has a row: false while a profile is still being measured. */
  get complete(): boolean {
    return this.byKey.size === this.space.size;
  }

  lookup(config: Config): ProfileRow | undefined {
    try {
      return this.byKey.get(this.space.key(config));
    } catch {
      return undefined;
    }
  }

  /** The succeeded row with the highest value of a metric derived from each row. */
  best(value: (row: ProfileRow) => number): ProfileRow | undefined {
    let best: ProfileRow | undefined;
    for (const row of this.rows) {
      if (row.status === 'succeeded' && (best === undefined || value(row) > value(best))) best = row;
    }
    return best;
  }
}

/**
 * Tables profiled exhaustively, and tables still being measured: a partial table covers only the start
 * of the grid (the lowest CPU limits), so its optimum and its surface are not the model's.
 */
export function splitByCompleteness(tables: readonly ProfileTable[]): {
  complete: ProfileTable[];
  partial: ProfileTable[];
} {
  return {
    complete: tables.filter((table) => table.complete),
    partial: tables.filter((table) => !table.complete),
  };
}

/** "12 of 96 configurations": how far a table's profile has got. */
export function coverage(table: ProfileTable): string {
  return `${table.measured} of ${table.space.size} configurations`;
}

export function parseProfileTable(text: string, source: string): ProfileTable {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new SpecError([{ path: source, message: 'the profile table is empty' }]);
  const problems: SpecProblem[] = [];
  const parseLine = <T>(schema: z.ZodType<T>, line: string, index: number): T | undefined => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problems.push({ path: `${source}:${index + 1}`, message: `not JSON (${(error as Error).message})` });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ path: `${source}:${index + 1} ${issue.path.join('.')}`, message: issue.message });
      }
      return undefined;
    }
    return parsed.data;
  };
  const header = parseLine(HeaderSchema, lines[0] as string, 0);
  if (!header) throw new SpecError(problems);
  let space: SearchSpace;
  try {
    space = new SearchSpace(header.space as ParameterSpec[]);
  } catch (error) {
    if (error instanceof SpecError) {
      throw new SpecError(
        error.problems.map((p) => ({ path: `${source}:1 space${p.path}`, message: p.message })),
      );
    }
    throw error;
  }
  const rows: ProfileRow[] = [];
  const seen = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    const row = parseLine(RowSchema, line, i + 1);
    if (!row) return;
    try {
      const config = space.canonical(row.config);
      const key = space.key(config);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({ path: `${source}:${i + 2}`, message: `repeats the configuration of line ${first}` });
        return;
      }
      seen.set(key, i + 2);
      rows.push({ ...row, config });
    } catch (error) {
      problems.push({ path: `${source}:${i + 2} config`, message: (error as Error).message });
    }
  });
  if (problems.length > 0) throw new SpecError(problems);
  return new ProfileTable(header, rows, space);
}

export async function readProfileTable(path: string): Promise<ProfileTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SpecError([
      { path, message: `cannot read the profile table (${(error as NodeJS.ErrnoException).code})` },
    ]);
  }
  return parseProfileTable(text, path);
}

/** The JSON-lines text of a table: the header line, then one line per row. */
export function formatProfileTable(header: ProfileHeader, rows: readonly ProfileRow[]): string {
  return `${[header, ...rows].map((line) => JSON.stringify(line)).join('\n')}\n`;
}

export function rowMeasurement(row: ProfileRow): Measurement {
  return { ...row.metrics, rps: row.metrics.rps ?? 0 };
}
