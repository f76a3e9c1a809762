import type { TrialRecord } from '../store/records.js';

/** What the controller reports as it goes; the CLI progress, the API's live stream and logs subscribe. */
export type ControllerEvent =
  | { type: 'experiment-started'; experiment: string; resumed: boolean; requeued: number; finished: number }
  | { type: 'trial-started'; trial: TrialRecord }
  | { type: 'trial-finished'; trial: TrialRecord; best?: TrialRecord; done: number; budget: number }
  | { type: 'trial-requeued'; trial: TrialRecord; reason: string }
  | { type: 'experiment-ended'; experiment: string; status: string; message: string; best?: TrialRecord };
