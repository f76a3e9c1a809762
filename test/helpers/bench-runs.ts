import { join } from 'node:path';
import { morphling } from './cli.js';

/** The algorithms and seeds of `runSmallBench`, for the tests that count its runs. */
export const SMALL_BENCH = { algorithms: ['bo', 'random', 'grid'], seeds: 3, tables: 3, budget: 60 } as const;

/**
 * A real, small `morphling bench` (a few seconds): bo, random and grid with 3 seeds, at most 60 trials,
 * under rps and rps_per_cost, on `table` and 2 SYNTHETIC tables. Writes `out`/runs.jsonl; returns it.
 */
export function runSmallBench(out: string, table: string): string {
  const result = morphling([
    'bench',
    '--tables',
    table,
    '--synthetic',
    String(SMALL_BENCH.tables - 1),
    '--algorithms',
    SMALL_BENCH.algorithms.join(','),
    '--seeds',
    String(SMALL_BENCH.seeds),
    '--budget',
    String(SMALL_BENCH.budget),
    '--objective',
    'rps,rps_per_cost',
    '--out',
    out,
  ]);
  if (result.status !== 0) throw new Error(`morphling bench failed:\n${result.stderr}`);
  return join(out, 'runs.jsonl');
}
