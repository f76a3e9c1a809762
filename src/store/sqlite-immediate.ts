import type Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';

/**
 * Kysely's SQLite dialect with two changes that let several processes share one database file:
 *
 * - Transactions begin IMMEDIATE: a transaction takes the file's write lock before its first read, so
 *   a read-then-write transaction (a claim counts running trials, then takes one) can never be
 *   overtaken by another process between its read and its write. A deferred `begin` would fail
 *   with SQLITE_BUSY at the write instead, and the busy timeout cannot help with that.
 * - Migrations run in a transaction (SQLite's DDL is transactional; Kysely assumes it is not), so two
 *   processes opening a new file together take turns instead of both adding the same column.
 */
export function immediateSqliteDialect(database: Sqlite.Database): Dialect {
  const base = new SqliteDialect({ database });
  return {
    createAdapter: () => new TransactionalDdlSqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver({ database }),
    createIntrospector: (db) => base.createIntrospector(db),
    createQueryCompiler: () => base.createQueryCompiler(),
  };
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
