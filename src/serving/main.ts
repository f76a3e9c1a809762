/**
 * The bundled model server's entry point: `node dist/serving/main.js --model resnet-tiny --port 0`.
 * Prints `{"event":"listening","port":N}` on stdout once it serves; exits 2 on a bad knob, 1 if the model
 * cannot be served, and 0 after a SIGTERM/SIGINT shutdown that lets in-flight requests finish.
 */
import { formatProblem, SpecError } from '../errors.js';
import { optionsFromProcess } from './options.js';
import { startServer } from './server.js';

function fail(error: unknown): never {
  if (error instanceof SpecError) {
    process.stderr.write(`morphling-serve: ${error.problems.map(formatProblem).join('; ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`morphling-serve: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const server = await startServer(optionsFromProcess(process.argv.slice(2), process.env));
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.port })}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now": skip waiting for in-flight requests.
      process.stderr.write(`morphling-serve: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(fail);
