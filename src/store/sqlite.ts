import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { migrateToLatest } from './migrations.js';
import { SqlStore } from './sql-store.js';
import { immediateSqliteDialect } from './sqlite-immediate.js';
import type { Database } from './tables.js';

/**
 * Opens (creating if needed) a SQLite store and brings its schema up to date. WAL with
 * `synchronous = FULL`: a committed trial survives a killed process and a power cut, and readers
 * (`morphling show` while an experiment runs) never block the writer. Several processes on this machine
 * may share the file (workers): every transaction begins IMMEDIATE and waits up to 10 s for the lock.
 */
export async function openSqliteStore(path: string): Promise<SqlStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Sqlite(path, { timeout: 10_000 });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: immediateSqliteDialect(database) });
  await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  return new SqlStore(db, { dialect: 'sqlite' });
}
