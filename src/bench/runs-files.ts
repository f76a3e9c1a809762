import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RunRecord } from './run.js';
import { type BenchListing, type BenchRun, type BenchSource, parseRuns } from './run-schema.js';

/** The file a bench writes its runs into (report.ts), and what a folder is searched for. */
export const RUNS_FILE = 'runs.jsonl';
/** Where `morphling bench` writes by default lives under here; `serve` and `report` look here unasked. */
export const DEFAULT_BENCH_DIR = '.morphling/bench';
/** How deep a folder is searched for runs files (a bench folder of bench folders is deep enough). */
const MAX_DEPTH = 6;

/** `--bench` as given, else the default folder when it exists, else nothing. */
export function benchPaths(given: readonly string[], cwd = process.cwd()): string[] {
  if (given.length > 0) return given.map((path) => resolve(cwd, path));
  const fallback = resolve(cwd, DEFAULT_BENCH_DIR);
  return existsSync(fallback) ? [fallback] : [];
}

/** Every runs.jsonl under a folder (sorted), or the file itself. Symbolic links to folders are not followed. */
async function runsFiles(path: string): Promise<string[]> {
  if ((await stat(path)).isFile()) return [path];
  const found: string[] = [];
  const walk = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH && entry.name !== 'node_modules')
        await walk(full, depth + 1);
      else if (entry.name === RUNS_FILE && (entry.isFile() || entry.isSymbolicLink())) found.push(full);
    }
  };
  await walk(path, 0);
  return found;
}

interface Parsed {
  mtimeMs: number;
  size: number;
  runs: BenchRun[];
  source: Omit<BenchSource, 'path'>;
}

/**
 * Reads the bench runs under some paths on every call (a bench that finishes while the server runs
 * shows up), re-parsing only the files that changed since the last call.
 */
export class BenchRunsReader {
  private readonly cache = new Map<string, Parsed>();

  constructor(
    readonly paths: readonly string[],
    /** Paths are shown relative to it when inside it. */
    private readonly cwd = process.cwd(),
  ) {}

  async read(): Promise<BenchListing> {
    const listing: BenchListing = { sources: [], runs: [] };
    const seen = new Set<string>();
    for (const root of this.paths) {
      let files: string[];
      try {
        files = await runsFiles(root);
      } catch (error) {
        listing.sources.push({ ...empty(), path: this.show(root), error: reason(error) });
        continue;
      }
      for (const file of files) {
        if (seen.has(file)) continue; // a file under two of the given paths counts once
        seen.add(file);
        const parsed = await this.parse(file);
        const index = listing.sources.length;
        listing.sources.push({ ...parsed.source, path: this.show(file) });
        for (const run of parsed.runs) listing.runs.push({ ...run, source: index });
      }
    }
    return listing;
  }

  private async parse(file: string): Promise<Parsed> {
    try {
      const info = await stat(file);
      const cached = this.cache.get(file);
      if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
      const { runs, problems, invalid } = parseRuns(await readFile(file, 'utf8'));
      const parsed = {
        mtimeMs: info.mtimeMs,
        size: info.size,
        runs,
        source: { runs: runs.length, invalid, problems },
      };
      this.cache.set(file, parsed);
      return parsed;
    } catch (error) {
      this.cache.delete(file);
      return { mtimeMs: 0, size: 0, runs: [], source: { ...empty(), error: reason(error) } };
    }
  }

  private show(path: string): string {
    const rel = relative(this.cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  }
}

function empty(): Omit<BenchSource, 'path'> {
  return { runs: 0, invalid: 0, problems: [] };
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or folder';
  if (e.code === 'EACCES') return 'permission denied';
  return e.message ?? String(error);
}

// What the bench writes must read back: a compile-time check that a RunRecord fits the schema.
type Fits<Value, Schema> = [Value] extends [Schema] ? true : never;
const _fits: Fits<RunRecord, BenchRun> = true;
void _fits;
