import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests and benchmarks: `initdb` into a temporary folder, `pg_ctl
 * start` on 127.0.0.1 with a free port and the unix socket in that folder (no systemd, nothing shared
 * with a system cluster), stopped and removed by `stop()`. Durability is off (fsync, synchronous
 * commit): the data dies with the folder anyway.
 */
export const PG_BIN = process.env.MORPHLING_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why no server can be started here, or undefined when one can. */
export function postgresMissing(): string | undefined {
  for (const tool of ['initdb', 'pg_ctl'])
    if (!existsSync(join(PG_BIN, tool)))
      return `${join(PG_BIN, tool)} not found (Debian: apt-get install postgresql; or set MORPHLING_PG_BIN)`;
  return undefined;
}

export interface PostgresServer {
  readonly port: number;
  /** A new empty database on the server; resolves to its URL. */
  createDatabase(): Promise<string>;
  stop(): void;
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'morphling-pg-'));
  // initdb refuses to run as root: as root, run the server as an unprivileged user that owns the folder.
  const user = process.getuid?.() === 0 ? unprivilegedUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]) => {
    const argv = [join(PG_BIN, tool), ...args];
    const [command, ...rest] = user ? ['runuser', '-u', user.name, '--', ...argv] : argv;
    const result = spawnSync(command as string, rest, { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0)
      throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'morphling', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let port = 0;
  // A free port can be taken between our probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1'",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test run that dies without its teardown still removes the server.
  process.on('exit', stop);
  let databases = 0;
  return {
    port,
    async createDatabase() {
      const name = `store_${process.pid}_${++databases}`;
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'morphling', database: 'postgres' });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://morphling@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

function unprivilegedUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error('running as root, and neither the postgres nor the nobody user exists to run PostgreSQL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
