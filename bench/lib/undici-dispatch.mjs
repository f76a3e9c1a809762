// undici's `dispatch` alone, back to back on every connection, counting responses and nothing else:
// the ceiling of any client built on undici, to show how much of the gap to autocannon is ours.
import { Pool } from 'undici';

const [url, connections, seconds] = process.argv.slice(2);
const pool = new Pool(new URL(url).origin, { connections: Number(connections), pipelining: 1 });
const warmupMs = 500;
const startedAt = performance.now();
const endAt = startedAt + warmupMs + Number(seconds) * 1000;
let counted = 0;
await new Promise((resolve, reject) => {
  let running = Number(connections);
  const next = () => {
    if (performance.now() >= endAt) {
      if (--running === 0) resolve();
      return;
    }
    pool.dispatch(
      { path: '/', method: 'GET' },
      {
        onConnect() {},
        onHeaders: () => true,
        onData: () => true,
        onComplete() {
          if (performance.now() >= startedAt + warmupMs) counted++;
          next();
        },
        onError: reject,
      },
    );
  };
  for (let i = 0; i < running; i++) next();
});
await pool.close();
process.stdout.write(`${JSON.stringify({ rps: counted / Number(seconds) })}\n`);
