import type { Kysely } from 'kysely';
import { ClaimLostError, ConflictError, NotFoundError } from '../errors.js';
import type { Config } from '../space/parameter.js';
import type { SqlDialectName } from './migrations.js';
import {
  type EventRecord,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentSummary,
  TRIAL_STATUSES,
  type TrialClaim,
  type TrialOutcome,
  type TrialRecord,
  type TrialStatus,
} from './records.js';
import * as claims from './sql-claims.js';
import { databaseNow, isUniqueViolation, lockExperiment } from './sql-dialect.js';
import {
  type Db,
  insertEvent,
  json,
  now,
  optional,
  toExperiment,
  toTrial,
  touchExperiment,
} from './sql-rows.js';
import type { ClaimGuard, Store } from './store.js';
import type { Database } from './tables.js';

export interface SqlStoreOptions {
  dialect: SqlDialectName;
  /** Runs after the database connection is closed. */
  onClose?: () => Promise<void>;
}

/**
 * The `Store` over any SQL database Kysely speaks to. Dialect differences stay in the factories
 * (`openSqliteStore`, `openPostgresStore`), the migrations and sql-dialect.ts (locks, clock).
 */
export class SqlStore implements Store {
  private readonly dialect: SqlDialectName;
  private readonly onClose: () => Promise<void>;

  constructor(
    private readonly db: Kysely<Database>,
    options: SqlStoreOptions,
  ) {
    this.dialect = options.dialect;
    this.onClose = options.onClose ?? (async () => {});
  }

  async createExperiment(input: {
    name: string;
    document: unknown;
    baseDir: string;
  }): Promise<ExperimentRecord> {
    const conflict = new ConflictError(`experiment "${input.name}" already exists`);
    return this.db
      .transaction()
      .execute(async (trx) => {
        const existing = await trx
          .selectFrom('experiments')
          .select('name')
          .where('name', '=', input.name)
          .executeTakeFirst();
        if (existing) throw conflict;
        const at = now();
        await trx
          .insertInto('experiments')
          .values({
            name: input.name,
            document: json(input.document),
            base_dir: input.baseDir,
            status: 'created',
            message: null,
            created_at: at,
            updated_at: at,
            best_trial_id: null,
            suggester_token: null,
            suggester_expires_at: null,
          })
          .execute();
        await insertEvent(trx, input.name, 'experiment-created', {});
        return (await getExperiment(trx, input.name)) as ExperimentRecord;
      })
      .catch((error) => {
        // Another process created it between our check and our insert (PostgreSQL, read committed).
        throw isUniqueViolation(error) ? conflict : error;
      });
  }

  getExperiment(name: string): Promise<ExperimentRecord | undefined> {
    return getExperiment(this.db, name);
  }

  async listExperiments(): Promise<ExperimentSummary[]> {
    const experiments = await this.db.selectFrom('experiments').selectAll().orderBy('created_at').execute();
    const counts = await this.db
      .selectFrom('trials')
      .select(['experiment', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['experiment', 'status'])
      .execute();
    const bests = await this.db
      .selectFrom('experiments')
      .innerJoin('trials', 'trials.id', 'experiments.best_trial_id')
      .select(['experiments.name as name', 'trials.objective as objective'])
      .execute();
    return experiments.map((row) => {
      const trialCounts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as Record<
        TrialStatus,
        number
      >;
      for (const c of counts)
        if (c.experiment === row.name) trialCounts[c.status as TrialStatus] = Number(c.count);
      const best = bests.find((b) => b.name === row.name)?.objective;
      return { ...toExperiment(row), trialCounts, bestObjective: optional(best ?? null) };
    });
  }

  async updateExperimentDocument(name: string, document: unknown): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await updateExperiment(trx, name, { document: json(document) });
      await insertEvent(trx, name, 'experiment-updated', {});
    });
  }

  async setExperimentStatus(name: string, status: ExperimentStatus, message?: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await updateExperiment(trx, name, { status, message: message ?? null });
      await insertEvent(trx, name, 'experiment-status', { status, ...(message ? { message } : {}) });
    });
  }

  async endExperiment(name: string, status: ExperimentStatus, message: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await lockExperiment(trx, this.dialect, name)))
        throw new NotFoundError(`no experiment named "${name}"`);
      if ((await getExperiment(trx, name))?.status !== 'running') return false;
      await updateExperiment(trx, name, { status, message });
      await insertEvent(trx, name, 'experiment-status', { status, message });
      return true;
    });
  }

  async deleteExperiment(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('events').where('experiment', '=', name).execute();
      await trx.deleteFrom('trials').where('experiment', '=', name).execute();
      const result = await trx.deleteFrom('experiments').where('name', '=', name).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError(`no experiment named "${name}"`);
    });
  }

  async addTrials(
    experiment: string,
    trials: readonly { config: Config; configKey: string }[],
  ): Promise<TrialRecord[]> {
    if (trials.length === 0) return [];
    return this.db
      .transaction()
      .execute(async (trx) => {
        // The lock makes the next `seq` and the duplicate check hold against concurrent writers.
        if (!(await lockExperiment(trx, this.dialect, experiment)))
          throw new NotFoundError(`no experiment named "${experiment}"`);
        return insertTrials(trx, experiment, trials, await databaseNow(trx, this.dialect));
      })
      .catch((error) => {
        // Only a writer that skipped the lock could get here; the rule it broke is still ours to name.
        if (isUniqueViolation(error))
          throw new ConflictError(`a configuration of ${experiment} already has a trial`, { cause: error });
        throw error;
      });
  }

  async startTrial(id: number, runner: string): Promise<TrialRecord> {
    return this.transition(id, ['pending'], 'trial-started', (trial, at) => ({
      status: 'running',
      attempt: trial.attempt + 1,
      started_at: at,
      runner,
      claimed_by: null,
      claim_token: null,
      lease_expires_at: null,
    }));
  }

  claimTrial(experiment: string, claim: TrialClaim): Promise<TrialRecord | undefined> {
    return claims.claimTrial(this.db, this.dialect, experiment, claim);
  }

  renewLease(id: number, token: string, leaseMs: number): Promise<boolean> {
    return claims.renewLease(this.db, this.dialect, id, token, leaseMs);
  }

  requeueExpired(experiment: string, exceptToken?: string): Promise<TrialRecord[]> {
    return claims.requeueExpired(this.db, this.dialect, experiment, exceptToken);
  }

  takeSuggestionLease(experiment: string, token: string, leaseMs: number): Promise<boolean> {
    return claims.takeSuggestionLease(this.db, this.dialect, experiment, token, leaseMs);
  }

  releaseSuggestionLease(experiment: string, token: string): Promise<void> {
    return claims.releaseSuggestionLease(this.db, experiment, token);
  }

  async refreshBestTrial(name: string): Promise<TrialRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await lockExperiment(trx, this.dialect, name)))
        throw new NotFoundError(`no experiment named "${name}"`);
      const row = await trx
        .selectFrom('trials')
        .selectAll()
        .where('experiment', '=', name)
        .where('status', '=', 'succeeded')
        .where('score', 'is not', null)
        .orderBy('score', 'desc')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      const best = row ? toTrial(row) : undefined;
      if (best && best.id !== (await getExperiment(trx, name))?.bestTrialId) {
        await updateExperiment(trx, name, { best_trial_id: best.id });
        await insertEvent(trx, name, 'best-trial', { trialId: best.id }, best.id);
      }
      return best;
    });
  }

  async finishTrial(id: number, outcome: TrialOutcome, guard?: ClaimGuard): Promise<TrialRecord> {
    return this.transition(
      id,
      ['running'],
      'trial-finished',
      (_, at) => ({
        status: outcome.status,
        finished_at: at,
        objective: outcome.objective ?? null,
        score: outcome.score ?? null,
        metrics: outcome.metrics ? json(outcome.metrics) : null,
        error_class: outcome.errorClass ?? null,
        error_message: outcome.errorMessage ?? null,
        limits: outcome.limits ? json(outcome.limits) : null,
        load_curve: outcome.loadCurve ? json(outcome.loadCurve) : null,
        // `claimed_by` stays: who measured it.
        claim_token: null,
        lease_expires_at: null,
      }),
      {
        status: outcome.status,
        objective: outcome.objective,
        errorClass: outcome.errorClass,
        errorMessage: outcome.errorMessage,
      },
      guard,
    );
  }

  async requeueTrial(
    id: number,
    reason: string,
    error?: { errorClass: string; errorMessage: string; countsAsAttempt?: boolean },
    guard?: ClaimGuard,
  ): Promise<TrialRecord> {
    return this.transition(
      id,
      ['running'],
      'trial-requeued',
      () => ({
        status: 'pending',
        error_class: error?.errorClass ?? null,
        error_message: error?.errorMessage ?? null,
        claimed_by: null,
        claim_token: null,
        lease_expires_at: null,
      }),
      { reason, ...error },
      guard,
    );
  }

  getTrial(id: number): Promise<TrialRecord | undefined> {
    return getTrial(this.db, id);
  }

  async listTrials(experiment: string): Promise<TrialRecord[]> {
    const rows = await this.db
      .selectFrom('trials')
      .selectAll()
      .where('experiment', '=', experiment)
      .orderBy('seq')
      .execute();
    return rows.map(toTrial);
  }

  async appendEvent(
    experiment: string,
    type: string,
    data: Record<string, unknown>,
    trialId?: number,
  ): Promise<void> {
    await insertEvent(this.db, experiment, type, data, trialId);
  }

  async listEvents(experiment: string, afterId = 0, trialId?: number): Promise<EventRecord[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('experiment', '=', experiment)
      .where('id', '>', afterId)
      .$if(trialId !== undefined, (q) => q.where('trial_id', '=', trialId as number))
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      experiment: row.experiment,
      trialId: row.trial_id === null ? undefined : Number(row.trial_id),
      at: row.at,
      type: row.type,
      data: JSON.parse(row.data),
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }

  /**
   * Moves a trial between states in one transaction, refusing moves the contract forbids and, with a
   * guard, moves by a process that no longer holds the trial. Timestamps come from the database's clock.
   */
  private transition(
    id: number,
    from: readonly TrialStatus[],
    event: string,
    changes: (trial: TrialRecord, at: string) => Partial<Database['trials']>,
    data: Record<string, unknown> = {},
    guard?: ClaimGuard,
  ): Promise<TrialRecord> {
    return this.db.transaction().execute(async (trx) => {
      const experiment = (await getTrial(trx, id))?.experiment;
      if (experiment === undefined) throw new NotFoundError(`no trial with id ${id}`);
      // Experiment first, then the trial: the order every writer of the experiment's trials follows.
      await lockExperiment(trx, this.dialect, experiment);
      const trial = (await getTrial(trx, id)) as TrialRecord;
      if (guard && (trial.status !== 'running' || trial.claimToken !== guard.token)) {
        const holder = trial.claimedBy ? ` (held by ${trial.claimedBy})` : '';
        throw new ClaimLostError(
          `trial #${trial.seq} of ${trial.experiment} is no longer this worker's: it is ${trial.status}${holder}`,
          id,
        );
      }
      if (!from.includes(trial.status)) {
        throw new ConflictError(
          `trial #${trial.seq} of ${trial.experiment} is ${trial.status}, not ${from.join(' or ')}`,
        );
      }
      const updated = await trx
        .updateTable('trials')
        .set(changes(trial, await databaseNow(trx, this.dialect)) as never)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const result = toTrial(updated);
      await insertEvent(
        trx,
        trial.experiment,
        event,
        { seq: trial.seq, attempt: result.attempt, ...data },
        id,
      );
      await touchExperiment(trx, trial.experiment);
      return result;
    });
  }
}

async function getExperiment(db: Db, name: string): Promise<ExperimentRecord | undefined> {
  const row = await db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toExperiment(row) : undefined;
}

async function getTrial(db: Db, id: number): Promise<TrialRecord | undefined> {
  const row = await db.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTrial(row) : undefined;
}

async function updateExperiment(
  db: Db,
  name: string,
  changes: Partial<Database['experiments']>,
): Promise<void> {
  const result = await db
    .updateTable('experiments')
    .set({ ...changes, updated_at: now() })
    .where('name', '=', name)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NotFoundError(`no experiment named "${name}"`);
}

/** Adds pending trials after the next `seq`; the caller holds the experiment's lock. */
async function insertTrials(
  trx: Db,
  experiment: string,
  trials: readonly { config: Config; configKey: string }[],
  at: string,
): Promise<TrialRecord[]> {
  const keys = trials.map((t) => t.configKey);
  if (new Set(keys).size !== keys.length) throw new ConflictError('the same configuration was given twice');
  const taken = await trx
    .selectFrom('trials')
    .select(['seq', 'config_key'])
    .where('experiment', '=', experiment)
    .where('config_key', 'in', keys)
    .executeTakeFirst();
  if (taken) throw new ConflictError(`configuration ${taken.config_key} already has trial #${taken.seq}`);
  const { last } = await trx
    .selectFrom('trials')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('experiment', '=', experiment)
    .executeTakeFirstOrThrow();
  const rows = await trx
    .insertInto('trials')
    .values(
      trials.map((t, i) => ({
        experiment,
        seq: Number(last ?? 0) + i + 1,
        config_key: t.configKey,
        config: json(t.config),
        status: 'pending',
        attempt: 0,
        created_at: at,
        started_at: null,
        finished_at: null,
        objective: null,
        score: null,
        metrics: null,
        error_class: null,
        error_message: null,
        runner: null,
        limits: null,
        load_curve: null,
        claimed_by: null,
        claim_token: null,
        lease_expires_at: null,
      })),
    )
    .returningAll()
    .execute();
  for (const row of rows)
    await insertEvent(
      trx,
      experiment,
      'trial-created',
      { seq: row.seq, config: JSON.parse(row.config) },
      Number(row.id),
    );
  return rows.map(toTrial).sort((a, b) => a.seq - b.seq);
}
