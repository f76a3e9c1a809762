import type { Generated } from 'kysely';

/** Database tables as Kysely sees them. JSON columns hold text; timestamps are ISO-8601 text. */
export interface Database {
  experiments: {
    name: string;
    document: string;
    base_dir: string;
    status: string;
    message: string | null;
    created_at: string;
    updated_at: string;
    best_trial_id: number | null;
    /** The claim token of the process making suggestions for the experiment, while its lease lasts. */
    suggester_token: string | null;
    suggester_expires_at: string | null;
  };
  trials: {
    id: Generated<number>;
    experiment: string;
    seq: number;
    config_key: string;
    config: string;
    status: string;
    attempt: number;
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
    objective: number | null;
    score: number | null;
    metrics: string | null;
    error_class: string | null;
    error_message: string | null;
    runner: string | null;
    limits: string | null;
    load_curve: string | null;
    /** The worker that runs (or last ran) the trial. */
    claimed_by: string | null;
    /** The claiming process's token; finishing or requeueing with a token checks it still holds the trial. */
    claim_token: string | null;
    /** Database-clock time after which another worker may re-queue the running trial. */
    lease_expires_at: string | null;
  };
  events: {
    id: Generated<number>;
    experiment: string;
    trial_id: number | null;
    at: string;
    type: string;
    data: string;
  };
}
