/**
 * Capacity of the load client on one core against a trivial HTTP server on the other core, side by
 * side in the same run with autocannon and wrk (Debian `wrk`) against the same server, plus undici's
 * `dispatch` alone (the library our client is built on). The clients take turns, `rounds` times, and
 * each one's median round is reported: on a shared machine a single run can be off by a third.
 * Goal: our client within 20 % of autocannon.
 * Usage: npm run build && npx tsx bench/client-capacity.ts [seconds] [connections] [rounds]
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLine, markdownTable, median } from './lib/markdown.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 3);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const pinned = (cpu: number, argv: string[]) => ['taskset', ['-c', String(cpu), ...argv]] as const;

if (!existsSync(here('../dist/loadgen/closed-loop.js'))) {
  console.error('bench/client-capacity.ts runs the compiled client: run `npm run build` first');
  process.exit(2);
}

interface Run {
  rps: number;
  latency: string;
}

interface Client {
  name: string;
  run(url: string): Run;
}

const runPinned = (argv: string[]) =>
  execFileSync(...pinned(0, argv), { encoding: 'utf8', maxBuffer: 1 << 24 });
const nodeScript = (script: string, url: string) =>
  JSON.parse(runPinned([process.execPath, here(script), url, String(connections), String(seconds)]));

const clients: Client[] = [
  {
    name: 'morphling loadgen (closed loop)',
    run: (url) => {
      const ours = nodeScript('lib/our-client.mjs', url);
      return { rps: ours.rps, latency: `p50 ${ours.p50Ms.toFixed(2)} ms, p99 ${ours.p99Ms.toFixed(2)} ms` };
    },
  },
  {
    name: 'undici dispatch alone (no timing)',
    run: (url) => ({ rps: nodeScript('lib/undici-dispatch.mjs', url).rps, latency: '' }),
  },
  {
    name: 'autocannon 8',
    run: (url) => {
      const result = JSON.parse(
        runPinned([
          process.execPath,
          here('../node_modules/autocannon/autocannon.js'),
          '-c',
          String(connections),
          '-d',
          String(seconds),
          '-j',
          url,
        ]),
      );
      return {
        rps: result.requests.average,
        latency: `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      };
    },
  },
  {
    name: 'wrk 4.1 (1 thread)',
    run: (url) => {
      const output = runPinned(['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
      const p50 = /50%\s+(\S+)/.exec(output)?.[1];
      const p99 = /99%\s+(\S+)/.exec(output)?.[1];
      return {
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
        latency: `p50 ${p50}, p99 ${p99}`,
      };
    },
  },
];

const [serverCommand, serverArgs] = pinned(1, [process.execPath, here('lib/trivial-server.mjs')]);
const server = spawn(serverCommand, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(server.stdout, 'data')) as [Buffer];
const url = `http://127.0.0.1:${JSON.parse(String(line)).port}/`;

const results = clients.map((client) => ({ name: client.name, runs: [] as Run[] }));
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, client] of clients.entries()) results[i]?.runs.push(client.run(url));
  }
} finally {
  server.kill('SIGTERM');
}

/** The round with the median throughput, so that its latency goes with it. */
const medianRun = (runs: readonly Run[]): Run => {
  const middle = median(runs.map((run) => run.rps));
  return runs.reduce((best, run) => (Math.abs(run.rps - middle) < Math.abs(best.rps - middle) ? run : best));
};
const summary = results.map(({ name, runs }) => ({ name, runs, typical: medianRun(runs) }));
const autocannonRps = summary.find((s) => s.name.startsWith('autocannon'))?.typical.rps ?? Number.NaN;
console.log(
  `# Load client capacity: one core each for client and server, ${connections} connections, ${seconds} s, median of ${rounds} rounds\n\n${await machineLine()}\n`,
);
console.log(
  markdownTable(
    ['client', 'requests/s (median)', 'rounds', 'vs autocannon', 'latency (median round)'],
    summary.map(({ name, runs, typical }) => [
      name,
      typical.rps,
      runs.map((run) => Math.round(run.rps)).join(', '),
      `${((typical.rps / autocannonRps) * 100).toFixed(0)} %`,
      typical.latency,
    ]),
  ),
);
