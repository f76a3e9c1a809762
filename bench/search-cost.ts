/**
 * The paper's search-cost benchmark (SoCC'21 Fig. 6/7), replayed on profile tables without servers:
 *
 *   npx tsx bench/search-cost.ts --tables examples/tables --synthetic 12 --peers --out .morphling/bench/search-cost
 *
 * A thin wrapper: the replay loop, metrics, leave-one-family-out training and report live in src/bench/
 * (so `morphling bench` runs the same code); the Python peers' bridge is bench/peers/peer_bridge.py.
 */
import { Command, CommanderError } from 'commander';
import { configureBenchCommand } from '../src/bench/command.js';

const program = configureBenchCommand(
  new Command('search-cost').description('search cost of the algorithms replayed on profile tables'),
  'npx tsx bench/search-cost.ts',
).exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
