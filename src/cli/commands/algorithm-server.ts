import { type Command, InvalidArgumentError } from 'commander';
import { algorithmNames } from '../../algorithms/registry.js';
import { DEFAULT_PORT, startAlgorithmServer } from '../../api/grpc/server.js';

export function registerAlgorithmServer(program: Command): void {
  program
    .command('algorithm-server')
    .description(
      "serve the search algorithms over gRPC (api.suggestion.Suggestion, alibaba/morphling's algorithm service)",
    )
    .option('--port <port>', `port to listen on; 0 picks a free one (default ${DEFAULT_PORT})`, parsePort)
    .option('--host <host>', 'interface to listen on (0.0.0.0: every interface, as in a pod)', '127.0.0.1')
    .option('--quiet', 'do not log each call on stderr')
    .action(async (options: { port?: number; host: string; quiet?: boolean }) => {
      const server = await startAlgorithmServer({
        host: options.host,
        port: options.port ?? DEFAULT_PORT,
        ...(options.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      process.stdout.write(`listening on ${server.address} (algorithms: ${algorithmNames().join(', ')})\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // A second signal while the running calls finish quits at once.
      const quit = () => process.exit(130);
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
      process.stderr.write(`${signal}: finishing the running calls, then stopping\n`);
      await server.close();
      process.stderr.write('stopped\n');
      // SIGTERM is how an orchestrator stops a service: a clean stop. Ctrl-C is an interruption.
      if (signal === 'SIGINT') process.exitCode = 130;
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError(`"${value}" is not a port number`);
  return port;
}
