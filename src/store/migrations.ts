import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

export type SqlDialectName = 'sqlite' | 'postgres';

/** Migrations in code, so the compiled package carries them. Append new ones; never edit old ones. */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const autoId =
    dialect === 'sqlite'
      ? sql`integer primary key autoincrement`
      : sql`bigint generated always as identity primary key`;
  return {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('experiments')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('document', 'text', (c) => c.notNull())
          .addColumn('base_dir', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('message', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('best_trial_id', 'bigint')
          .execute();
        await db.schema
          .createTable('trials')
          .addColumn('id', sql`${autoId}`)
          .addColumn('experiment', 'text', (c) =>
            c.notNull().references('experiments.name').onDelete('cascade'),
          )
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('config_key', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('objective', 'double precision')
          .addColumn('score', 'double precision')
          .addColumn('metrics', 'text')
          .addColumn('error_class', 'text')
          .addColumn('error_message', 'text')
          .addColumn('runner', 'text')
          .addColumn('limits', 'text')
          .addUniqueConstraint('trials_experiment_config_key', ['experiment', 'config_key'])
          .addUniqueConstraint('trials_experiment_seq', ['experiment', 'seq'])
          .execute();
        await db.schema
          .createTable('events')
          .addColumn('id', sql`${autoId}`)
          .addColumn('experiment', 'text', (c) =>
            c.notNull().references('experiments.name').onDelete('cascade'),
          )
          .addColumn('trial_id', 'bigint')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('events_experiment_id')
          .on('events')
          .columns(['experiment', 'id'])
          .execute();
      },
    },
    '0002-load-curve': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('trials').addColumn('load_curve', 'text').execute();
      },
    },
    // Workers on several machines share an experiment: trials are claimed under leases, and one worker
    // at a time makes suggestions (see Store.claimTrial and Store.takeSuggestionLease).
    '0003-claims': {
      async up(db: Kysely<unknown>) {
        for (const column of ['claimed_by', 'claim_token', 'lease_expires_at'])
          await db.schema.alterTable('trials').addColumn(column, 'text').execute();
        for (const column of ['suggester_token', 'suggester_expires_at'])
          await db.schema.alterTable('experiments').addColumn(column, 'text').execute();
        // Every claim counts the running trials and looks for the next pending one.
        await db.schema
          .createIndex('trials_experiment_status_seq')
          .on('trials')
          .columns(['experiment', 'status', 'seq'])
          .execute();
      },
    },
  };
}

/**
 * Brings the schema up to date. On PostgreSQL the whole run holds a session advisory lock on one
 * connection: processes that start together (workers on several machines) take turns, and the second
 * finds the schema up to date instead of racing the first through `create table` and the migrations.
 * SQLite needs no lock: its migrations run in one IMMEDIATE transaction (see sqlite-immediate.ts),
 * which waits for any other writer of the file.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  if (dialect === 'sqlite') return migrate(db, dialect);
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK}::bigint)`.execute(connection);
    try {
      await migrate(connection, dialect);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK}::bigint)`.execute(connection);
    }
  });
}

/**
 * The advisory lock key of our migrations: "morphlin" as a 64-bit number, unlikely to be used by other
 * programs sharing the database (a decimal string: pg sends it as text, the query casts it).
 */
const MIGRATION_LOCK = BigInt('0x6d6f7270686c696e').toString();

async function migrate(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`, {
      cause: error,
    });
  }
}
