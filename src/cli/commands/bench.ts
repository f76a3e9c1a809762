import type { Command } from 'commander';
import { configureBenchCommand } from '../../bench/command.js';

/** `morphling bench`: the paper's search-cost benchmark, replayed on profile tables (no servers). */
export function registerBench(program: Command): void {
  configureBenchCommand(
    program
      .command('bench')
      .description(
        'search cost of the algorithms (and Python peers) replayed on profile tables: Markdown report and SVG plots',
      ),
    'morphling',
  );
}
