/**
 * Capacity of the load client on one core against a trivial HTTP server on the other core, side by
 * side in the same run with autocannon and wrk (Debian `wrk`) against the same server.
 * Goal: our client within 20 % of autocannon. Usage: npx tsx bench/client-capacity.ts [seconds] [connections]
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { machineLine, markdownTable } from './lib/markdown.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const pinned = (cpu: number, argv: string[]) => ['taskset', ['-c', String(cpu), ...argv]] as const;

const [serverCommand, serverArgs] = pinned(1, [process.execPath, here('lib/trivial-server.mjs')]);
const server = spawn(serverCommand, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(server.stdout, 'data')) as [Buffer];
const url = `http://127.0.0.1:${JSON.parse(String(line)).port}/`;

const run = (argv: string[]) => execFileSync(...pinned(0, argv), { encoding: 'utf8', maxBuffer: 1 << 24 });
const results: [string, number, string][] = [];
try {
  const ours = JSON.parse(
    run([
      process.execPath,
      '--import',
      'tsx',
      here('lib/our-client.ts'),
      url,
      String(connections),
      String(seconds),
    ]),
  );
  results.push([
    'morphling loadgen (closed loop)',
    ours.rps,
    `p50 ${ours.p50Ms.toFixed(2)} ms, p99 ${ours.p99Ms.toFixed(2)} ms`,
  ]);
  const autocannon = JSON.parse(
    run([
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
  results.push([
    'autocannon 8',
    autocannon.requests.average,
    `p50 ${autocannon.latency.p50} ms, p99 ${autocannon.latency.p99} ms`,
  ]);
  const wrk = run(['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk)?.[1]);
  const p50 = /50%\s+(\S+)/.exec(wrk)?.[1];
  const p99 = /99%\s+(\S+)/.exec(wrk)?.[1];
  results.push(['wrk 4.1 (1 thread)', rps, `p50 ${p50}, p99 ${p99}`]);
} finally {
  server.kill('SIGTERM');
}
const autocannonRps = results.find((r) => r[0].startsWith('autocannon'))?.[1] ?? Number.NaN;
console.log(
  `# Load client capacity: one core each for client and server, ${connections} connections, ${seconds} s\n\n${await machineLine()}\n`,
);
console.log(
  markdownTable(
    ['client', 'requests/s', 'vs autocannon', 'latency'],
    results.map(([name, rps, latency]) => [
      name,
      rps,
      `${((rps / autocannonRps) * 100).toFixed(0)} %`,
      latency,
    ]),
  ),
);
