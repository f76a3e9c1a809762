import { openPostgresStore } from './postgres.js';
import type { SqlStore } from './sql-store.js';
import { openSqliteStore } from './sqlite.js';

/** True for a `postgres://` or `postgresql://` URL; anything else names a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Opens the store at `location`: a PostgreSQL URL, or the path of a SQLite file (created if missing). */
export function openStoreAt(location: string): Promise<SqlStore> {
  return isPostgresUrl(location) ? openPostgresStore(location) : openSqliteStore(location);
}
