import type { Kysely } from 'kysely';
import { NotFoundError } from '../errors.js';
import type { SqlDialectName } from './migrations.js';
import type { TrialClaim, TrialRecord } from './records.js';
import { databaseClock, databaseNow, later, lockExperiment } from './sql-dialect.js';
import { type Db as AnyDb, insertEvent, toTrial, touchExperiment } from './sql-rows.js';
import type { Database } from './tables.js';

/**
 * Claims and leases of the SQL store (see the Store interface for the rules). Every write that depends
 * on what it read holds the experiment's lock, so claimers on any number of machines see one order of
 * events; lease times come from the database's clock.
 */
type Db = Kysely<Database>;

export function claimTrial(
  db: Db,
  dialect: SqlDialectName,
  experiment: string,
  claim: TrialClaim,
): Promise<TrialRecord | undefined> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockExperiment(trx, dialect, experiment)))
      throw new NotFoundError(`no experiment named "${experiment}"`);
    // Counted under the lock: parallelism holds over every claimer, which a row lock on the claimed
    // trial alone (SELECT ... FOR UPDATE SKIP LOCKED) would not give.
    const { running } = await trx
      .selectFrom('trials')
      .select((eb) => eb.fn.countAll().as('running'))
      .where('experiment', '=', experiment)
      .where('status', '=', 'running')
      .executeTakeFirstOrThrow();
    if (Number(running) >= claim.parallelism) return undefined;
    const next = await trx
      .selectFrom('trials')
      .select(['id', 'attempt'])
      .where('experiment', '=', experiment)
      .where('status', '=', 'pending')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!next) return undefined;
    const at = await databaseNow(trx, dialect);
    const row = await trx
      .updateTable('trials')
      .set({
        status: 'running',
        attempt: next.attempt + 1,
        started_at: at,
        runner: claim.runner,
        claimed_by: claim.worker,
        claim_token: claim.token,
        lease_expires_at: later(at, claim.leaseMs),
      })
      .where('id', '=', next.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const trial = toTrial(row);
    await insertEvent(
      trx,
      experiment,
      'trial-started',
      { seq: trial.seq, attempt: trial.attempt, worker: claim.worker },
      trial.id,
    );
    await touchExperiment(trx, experiment);
    return trial;
  });
}

export async function renewLease(
  db: Db,
  dialect: SqlDialectName,
  id: number,
  token: string,
  leaseMs: number,
): Promise<boolean> {
  // One conditional update, no experiment lock: a re-queue that ran first cleared the token, so this
  // matches nothing; one that runs after sees the new expiry (its update re-checks the lease).
  const result = await db
    .updateTable('trials')
    .set({ lease_expires_at: later(await databaseNow(db, dialect), leaseMs) })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('claim_token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function requeueExpired(
  db: Db,
  dialect: SqlDialectName,
  experiment: string,
  exceptToken = '',
): Promise<TrialRecord[]> {
  // Every worker asks on every turn of its loop and nearly always nothing expired: look (one query,
  // on the database's clock) before taking the experiment's write lock.
  if ((await expired(db, dialect, experiment, exceptToken)).length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await lockExperiment(trx, dialect, experiment);
    const holders = new Map((await expired(trx, dialect, experiment, exceptToken)).map((t) => [t.id, t]));
    if (holders.size === 0) return [];
    // The update checks the lease again: a holder's renewal takes no experiment lock, so one may
    // have landed since the select.
    const rows = await trx
      .updateTable('trials')
      .set({ status: 'pending', claimed_by: null, claim_token: null, lease_expires_at: null })
      .where('id', 'in', [...holders.keys()])
      .where('status', '=', 'running')
      .where('lease_expires_at', '<', databaseClock(dialect))
      .returningAll()
      .execute();
    const requeued = rows.map(toTrial).sort((a, b) => a.seq - b.seq);
    for (const trial of requeued) {
      const holder = holders.get(trial.id);
      await insertEvent(
        trx,
        experiment,
        'trial-requeued',
        {
          seq: trial.seq,
          attempt: trial.attempt,
          reason: `the lease of worker ${holder?.claimedBy ?? '?'} expired at ${holder?.leaseExpiresAt}`,
          worker: holder?.claimedBy,
        },
        trial.id,
      );
    }
    if (requeued.length > 0) await touchExperiment(trx, experiment);
    return requeued;
  });
}

/** The running trials whose lease has ended by the database's clock, except those `exceptToken` holds. */
async function expired(
  db: AnyDb,
  dialect: SqlDialectName,
  experiment: string,
  exceptToken: string,
): Promise<TrialRecord[]> {
  const rows = await db
    .selectFrom('trials')
    .selectAll()
    .where('experiment', '=', experiment)
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', databaseClock(dialect))
    .where('claim_token', '!=', exceptToken)
    .execute();
  return rows.map(toTrial);
}

export function takeSuggestionLease(
  db: Db,
  dialect: SqlDialectName,
  experiment: string,
  token: string,
  leaseMs: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('experiments')
      .select(['suggester_token', 'suggester_expires_at'])
      .where('name', '=', experiment)
      .$if(dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no experiment named "${experiment}"`);
    const at = await databaseNow(trx, dialect);
    const heldByOther =
      row.suggester_token !== null &&
      row.suggester_token !== token &&
      row.suggester_expires_at !== null &&
      row.suggester_expires_at > at;
    if (heldByOther) return false;
    await trx
      .updateTable('experiments')
      .set({ suggester_token: token, suggester_expires_at: later(at, leaseMs) })
      .where('name', '=', experiment)
      .execute();
    return true;
  });
}

export async function releaseSuggestionLease(db: Db, experiment: string, token: string): Promise<void> {
  await db
    .updateTable('experiments')
    .set({ suggester_token: null, suggester_expires_at: null })
    .where('name', '=', experiment)
    .where('suggester_token', '=', token)
    .execute();
}
