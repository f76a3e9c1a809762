import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { configureBenchCommand } from '../../src/bench/command.js';
import { formatProfileTable } from '../../src/profile/table.js';
import { smallTable } from './small-table.js';

function command() {
  return configureBenchCommand(new Command('bench'), 'morphling')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}

describe('bench command', () => {
  it('rejects unknown algorithms and objectives as bad arguments', async () => {
    await expect(
      command().parseAsync(['--synthetic', '1', '--algorithms', 'nope'], { from: 'user' }),
    ).rejects.toThrow(CommanderError);
    await expect(
      command().parseAsync(['--synthetic', '1', '--objective', 'latency'], { from: 'user' }),
    ).rejects.toThrow(/unknown objective/);
    await expect(command().parseAsync([], { from: 'user' })).rejects.toThrow(/--tables/);
  });

  it('runs grid on synthetic tables and writes report.md, an SVG per objective and runs.jsonl', async () => {
    const out = mkdtempSync(join(tmpdir(), 'morphling-bench-cli-'));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await command().parseAsync(
        ['--synthetic', '2', '--algorithms', 'grid', '--objective', 'rps,rps_per_cost', '--out', out],
        { from: 'user' },
      );
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Objective `rps`');
    expect(report).toContain('## Objective `rps_per_cost`');
    expect(report).toMatch(/\| grid \| [12] \([12]\) \|/);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(existsSync(join(out, 'rps.svg')) || report.includes('Corner-optimum')).toBe(true);
  });

  it('skips a table that is still being profiled, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'morphling-bench-partial-'));
    const table = smallTable();
    const cut = { ...table.header, model: { name: 'half', family: 'synthetic' } };
    writeFileSync(join(dir, 'half.jsonl'), formatProfileTable(cut, table.rows.slice(0, 20)));
    const logged: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      logged.push(String(line));
      return true;
    });
    const run = (args: string[]) =>
      command().parseAsync(['--tables', dir, '--algorithms', 'grid', '--out', join(dir, 'out'), ...args], {
        from: 'user',
      });
    try {
      await expect(run([])).rejects.toThrow(/no exhaustively profiled table/);
      await run(['--synthetic', '1']);
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    expect(logged.join('')).toContain(
      'skipped, not profiled exhaustively yet: half (20 of 144 configurations)',
    );
    const report = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(report).toContain('Skipped, not profiled exhaustively yet: half (20 of 144 configurations).');
    expect(report).not.toMatch(/\| half \|/);
  });
});
