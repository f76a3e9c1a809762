import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ExperimentRecord, ExperimentStatus, TrialRecord, TrialStatus } from './records.js';
import type { Database } from './tables.js';

/** Rows ↔ records, shared by the SQL store's modules. */
export type Db = Kysely<Database> | Transaction<Database>;

export const now = () => new Date().toISOString();
export const json = (value: unknown) => JSON.stringify(value);
export const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export async function insertEvent(
  db: Db,
  experiment: string,
  type: string,
  data: Record<string, unknown>,
  trialId?: number,
): Promise<void> {
  await db
    .insertInto('events')
    .values({ experiment, trial_id: trialId ?? null, at: now(), type, data: json(data) })
    .execute();
}

/** Marks the experiment as changed (the trials' writers call it inside their transaction). */
export async function touchExperiment(db: Db, name: string): Promise<void> {
  await db.updateTable('experiments').set({ updated_at: now() }).where('name', '=', name).execute();
}

export function toExperiment(row: Selectable<Database['experiments']>): ExperimentRecord {
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

export function toTrial(row: Selectable<Database['trials']>): TrialRecord {
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
    claimedBy: optional(row.claimed_by),
    claimToken: optional(row.claim_token),
    leaseExpiresAt: optional(row.lease_expires_at),
  };
}
