import { Command, CommanderError } from 'commander';
import { ConflictError, formatProblem, NotFoundError, SpecError } from '../errors.js';
import { registerAlgorithmServer } from './commands/algorithm-server.js';
import { registerBench } from './commands/bench.js';
import { registerExport } from './commands/export.js';
import { registerList } from './commands/list.js';
import { registerMeta } from './commands/meta.js';
import { registerProfile } from './commands/profile.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerShow } from './commands/show.js';
import { registerWorker } from './commands/worker.js';

/** Exit codes: 0 done, 1 failure, 2 bad input (spec, arguments), 130 interrupted. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('morphling')
    .description('Finds the best serving configuration of a model-serving instance in few trials')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerRun(program);
  registerList(program);
  registerShow(program);
  registerReport(program);
  registerExport(program);
  registerProfile(program);
  registerBench(program);
  registerMeta(program);
  registerAlgorithmServer(program);
  registerServe(program);
  registerWorker(program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof SpecError) {
    const where = error.source ? `${error.source}: ` : '';
    process.stderr.write(
      `error: invalid experiment ${where}\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`,
    );
    return 2;
  }
  if (error instanceof NotFoundError || error instanceof ConflictError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
  if (process.env.MORPHLING_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
