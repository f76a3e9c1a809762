import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.js';
import { SqlStore } from './sql-store.js';
import type { Database } from './tables.js';

export interface PostgresStoreOptions {
  /**
   * Connections kept open. A worker needs a few at once: a heartbeat renews a lease while a trial
   * finishes and the next claim runs.
   * @default 10
   */
  poolSize?: number;
}

/**
 * Opens a PostgreSQL store from a `postgres://user:password@host:port/database` URL and brings its
 * schema up to date (the same migrations as SQLite; see migrations.ts for the lock that lets several
 * processes start together). The database must exist; the user needs to create tables in it.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlStore> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection that the server drops (restart, failover) emits 'error' on the pool, which would
  // crash the process if nobody listened. The pool replaces it; a query on a broken connection reports
  // its own error to its caller.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as Kysely<unknown>, 'postgres');
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot open the PostgreSQL store ${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new SqlStore(db, { dialect: 'postgres' });
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
