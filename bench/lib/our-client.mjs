// Our load client alone in a process, so the benchmark can pin it to one CPU like the others. It runs
// the compiled code from dist/, as `morphling` does (`npm run build` first): under tsx's loader the same
// client sent ~30 % fewer requests/s.
import { measureClosedLoop } from '../../dist/loadgen/closed-loop.js';

const [url, concurrency, seconds] = process.argv.slice(2);
const result = await measureClosedLoop({
  baseUrl: url,
  request: { path: '/', method: 'GET' },
  concurrency: Number(concurrency),
  durationMs: Number(seconds) * 1000,
  warmupMs: 500,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
