import { type RawBuilder, sql } from 'kysely';
import type { SqlDialectName } from './migrations.js';
import type { Db } from './sql-rows.js';

/**
 * What differs between the SQL databases behind `SqlStore`, beyond the migrations: row locks and the
 * clock. Everything else is plain Kysely.
 */

/**
 * Serialises writers of one experiment: every transaction that changes an experiment's trials takes
 * this lock first, so the count of running trials, the next `seq` and the lease checks are read and
 * written by one transaction at a time, and locks are always taken in the same order (experiment, then
 * trial) so that transactions cannot deadlock. PostgreSQL: a row lock on the experiment. SQLite: its
 * transactions begin IMMEDIATE (see sqlite-immediate.ts), which already serialises every writer of the
 * file. Returns false when the experiment does not exist.
 */
export async function lockExperiment(db: Db, dialect: SqlDialectName, name: string): Promise<boolean> {
  let query = db.selectFrom('experiments').select('name').where('name', '=', name);
  if (dialect === 'postgres') query = query.forUpdate();
  return (await query.executeTakeFirst()) !== undefined;
}

/**
 * The database's clock as ISO-8601 text (the format of `Date.toISOString`). Leases are compared with
 * this one clock, so workers on machines whose clocks disagree still agree on when a lease expired.
 */
export async function databaseNow(db: Db, dialect: SqlDialectName): Promise<string> {
  const { rows } = await sql<{ now: string }>`select ${databaseClock(dialect)} as now`.execute(db);
  const value = rows[0]?.now;
  if (!value) throw new Error('the database did not tell its time');
  return value;
}

/** The expression `databaseNow` selects, to compare with inside a query without a round trip of its own. */
export function databaseClock(dialect: SqlDialectName): RawBuilder<string> {
  return dialect === 'postgres'
    ? sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
}

/** `iso` plus `ms` milliseconds, in the same format. */
export function later(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** A unique constraint refused a row (PostgreSQL 23505; SQLite's UNIQUE or PRIMARY KEY constraint). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
