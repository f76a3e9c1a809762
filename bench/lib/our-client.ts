// Our load client alone in a process, so the benchmark can pin it to one CPU like the others.
import { measureClosedLoop } from '../../src/loadgen/closed-loop.js';

const [url, concurrency, seconds] = process.argv.slice(2);
const result = await measureClosedLoop({
  baseUrl: url as string,
  request: { path: '/', method: 'GET' },
  concurrency: Number(concurrency),
  durationMs: Number(seconds) * 1000,
  warmupMs: 500,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
