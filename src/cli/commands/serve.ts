import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { type Command, InvalidArgumentError } from 'commander';
import { buildServer } from '../../api/server.js';
import { benchPaths, DEFAULT_BENCH_DIR } from '../../bench/runs-files.js';
import { KubeClient } from '../../runners/kubernetes/api-client.js';
import { findConnection } from '../../runners/kubernetes/connection.js';
import { withInterrupts } from '../interrupt.js';
import { openStore, STORE_OPTION_HELP } from '../store-option.js';

interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  store?: string;
  bench: string[];
  watchNamespace?: string;
  kubeconfig?: string;
  context?: string;
  apiServer?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API and the web dashboard; submitted experiments run in this process and ' +
        'experiments it was running when it stopped resume when it starts',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option(
      '--token <token>',
      'require "Authorization: Bearer <token>" on /api (default: $MORPHLING_TOKEN); needed off loopback',
    )
    .option('--store <location>', STORE_OPTION_HELP)
    .option(
      '--bench <path>',
      `a bench's runs.jsonl, or a folder searched for them, for the Benchmarks page (repeatable; default ${DEFAULT_BENCH_DIR} if it exists)`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--watch-namespace <namespace>',
      'run the ProfilingExperiment objects of this Kubernetes namespace and write their status back',
    )
    .option(
      '--kubeconfig <file>',
      'with --watch-namespace: kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)',
    )
    .option('--context <name>', 'with --watch-namespace: kubeconfig context (default: its current context)')
    .option(
      '--api-server <url>',
      'with --watch-namespace: API server URL to use as it is (e.g. kubectl proxy)',
    )
    .action(async (options: ServeOptions, command: Command) => {
      const token = options.token || process.env.MORPHLING_TOKEN || undefined;
      if (!isLoopback(options.host) && !token) {
        // Submitted experiments start arbitrary commands (spec.service.command): never without a token.
        command.error(
          `error: --host ${options.host} accepts connections from other machines, and anyone who can ` +
            'reach the API can run commands here: give --token <secret> (or set MORPHLING_TOKEN), or ' +
            'listen on 127.0.0.1',
          { exitCode: 2, code: 'morphling.insecureHost' },
        );
      }
      const missing = options.bench.filter((path) => !existsSync(path));
      if (missing.length > 0) {
        command.error(`error: --bench ${missing.join(', ')}: no such file or folder`, {
          exitCode: 2,
          code: 'morphling.missingBench',
        });
      }
      const bench = benchPaths(options.bench);
      // The same connection rules as the kubernetes runner: --api-server, else the pod's service
      // account in a cluster, else a kubeconfig.
      const watch = options.watchNamespace
        ? {
            namespace: options.watchNamespace,
            client: new KubeClient(
              await findConnection({
                apiServer: options.apiServer,
                kubeconfig: options.kubeconfig,
                context: options.context,
              }).catch((error: Error) =>
                command.error(`error: --watch-namespace: ${error.message}`, {
                  exitCode: 2,
                  code: 'morphling.noCluster',
                }),
              ),
            ),
          }
        : undefined;
      const store = await openStore(options.store);
      try {
        const app = await buildServer({
          store,
          token,
          bench,
          watch,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        await withInterrupts(process.stderr, async (signal) => {
          try {
            await app.listen({ host: options.host, port: options.port });
            process.stdout.write(`listening on ${serverUrl(app.server.address() as AddressInfo)}\n`);
            if (bench.length > 0) process.stdout.write(`bench runs from ${bench.join(', ')}\n`);
            if (watch) {
              process.stdout.write(
                `running the ProfilingExperiments of namespace ${watch.namespace} (${watch.client.server})\n`,
              );
            }
            if (token) {
              process.stdout.write(
                'API requests need "Authorization: Bearer <token>"; open the dashboard at /?token=<token>\n',
              );
            }
            if (!signal.aborted) await once(signal, 'abort');
          } finally {
            // Stops the running experiments (trials requeued) before the store closes.
            await app.close();
          }
        });
      } finally {
        await store.close();
      }
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port, 0 to 65535');
  return port;
}

/** Loopback only: a name or address other machines cannot reach this one by. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice('::ffff:'.length));
  return isIP(h) === 4 && h.startsWith('127.');
}

function serverUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
