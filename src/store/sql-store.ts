import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Config } from '../space/parameter.js';
import {
  type EventRecord,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentSummary,
  TRIAL_STATUSES,
  type TrialOutcome,
  type TrialRecord,
  type TrialStatus,
} from './records.js';
import type { Store } from './store.js';
import type { Database } from './tables.js';

type Db = Kysely<Database> | Transaction<Database>;

const now = () => new Date().toISOString();
const json = (value: unknown) => JSON.stringify(value);
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/**
 * The `Store` over any SQL database Kysely speaks to. Dialect differences stay in the factories
 * (`openSqliteStore`, and later PostgreSQL) and in the migrations.
 */
export class SqlStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async createExperiment(input: {
    name: string;
    document: unknown;
    baseDir: string;
  }): Promise<ExperimentRecord> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('experiments')
        .select('name')
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (existing) throw new ConflictError(`experiment "${input.name}" already exists`);
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
        })
        .execute();
      await insertEvent(trx, input.name, 'experiment-created', {});
      return (await getExperiment(trx, input.name)) as ExperimentRecord;
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

  async setBestTrial(name: string, trialId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await updateExperiment(trx, name, { best_trial_id: trialId });
      await insertEvent(trx, name, 'best-trial', { trialId }, trialId);
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
    return this.db.transaction().execute(async (trx) => {
      await requireExperiment(trx, experiment);
      const keys = trials.map((t) => t.configKey);
      if (new Set(keys).size !== keys.length)
        throw new ConflictError('the same configuration was given twice');
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
      const at = now();
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
    });
  }

  async startTrial(id: number, runner: string): Promise<TrialRecord> {
    return this.transition(id, ['pending'], 'trial-started', (trial) => ({
      status: 'running',
      attempt: trial.attempt + 1,
      started_at: now(),
      runner,
    }));
  }

  async finishTrial(id: number, outcome: TrialOutcome): Promise<TrialRecord> {
    return this.transition(
      id,
      ['running'],
      'trial-finished',
      () => ({
        status: outcome.status,
        finished_at: now(),
        objective: outcome.objective ?? null,
        score: outcome.score ?? null,
        metrics: outcome.metrics ? json(outcome.metrics) : null,
        error_class: outcome.errorClass ?? null,
        error_message: outcome.errorMessage ?? null,
        limits: outcome.limits ? json(outcome.limits) : null,
        load_curve: outcome.loadCurve ? json(outcome.loadCurve) : null,
      }),
      {
        status: outcome.status,
        objective: outcome.objective,
        errorClass: outcome.errorClass,
        errorMessage: outcome.errorMessage,
      },
    );
  }

  async requeueTrial(
    id: number,
    reason: string,
    error?: { errorClass: string; errorMessage: string },
  ): Promise<TrialRecord> {
    return this.transition(
      id,
      ['running'],
      'trial-requeued',
      () => ({
        status: 'pending',
        error_class: error?.errorClass ?? null,
        error_message: error?.errorMessage ?? null,
      }),
      { reason, ...error },
    );
  }

  async getTrial(id: number): Promise<TrialRecord | undefined> {
    const row = await this.db.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTrial(row) : undefined;
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

  async listEvents(experiment: string, afterId = 0): Promise<EventRecord[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('experiment', '=', experiment)
      .where('id', '>', afterId)
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

  /** Moves a trial between states in one transaction, refusing moves the contract forbids. */
  private transition(
    id: number,
    from: readonly TrialStatus[],
    event: string,
    changes: (trial: TrialRecord) => Partial<Database['trials']>,
    data: Record<string, unknown> = {},
  ): Promise<TrialRecord> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`no trial with id ${id}`);
      const trial = toTrial(row);
      if (!from.includes(trial.status)) {
        throw new ConflictError(
          `trial #${trial.seq} of ${trial.experiment} is ${trial.status}, not ${from.join(' or ')}`,
        );
      }
      const updated = await trx
        .updateTable('trials')
        .set(changes(trial) as never)
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
      await trx
        .updateTable('experiments')
        .set({ updated_at: now() })
        .where('name', '=', trial.experiment)
        .execute();
      return result;
    });
  }
}

async function getExperiment(db: Db, name: string): Promise<ExperimentRecord | undefined> {
  const row = await db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toExperiment(row) : undefined;
}

async function requireExperiment(db: Db, name: string): Promise<void> {
  if (!(await getExperiment(db, name))) throw new NotFoundError(`no experiment named "${name}"`);
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

async function insertEvent(
  db: Db,
  experiment: string,
  type: string,
  data: Record<string, unknown>,
  trialId?: number,
) {
  await db
    .insertInto('events')
    .values({ experiment, trial_id: trialId ?? null, at: now(), type, data: json(data) })
    .execute();
}

function toExperiment(row: Selectable<Database['experiments']>): ExperimentRecord {
  return {
    name: row.name,
    document: JSON.parse(row.document),
    baseDir: row.base_dir,
    status: row.status as ExperimentStatus,
    message: optional(row.message),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    bestTrialId: row.best_trial_id === null ? undefined : Number(row.best_trial_id),
  };
}

function toTrial(row: Selectable<Database['trials']>): TrialRecord {
  return {
    id: Number(row.id),
    experiment: row.experiment,
    seq: row.seq,
    config: JSON.parse(row.config),
    configKey: row.config_key,
    status: row.status as TrialStatus,
    attempt: row.attempt,
    createdAt: row.created_at,
    startedAt: optional(row.started_at),
    finishedAt: optional(row.finished_at),
    objective: optional(row.objective),
    score: optional(row.score),
    metrics: row.metrics === null ? undefined : JSON.parse(row.metrics),
    errorClass: optional(row.error_class),
    errorMessage: optional(row.error_message),
    runner: optional(row.runner),
    limits: row.limits === null ? undefined : JSON.parse(row.limits),
    loadCurve: row.load_curve === null ? undefined : JSON.parse(row.load_curve),
  };
}
