import type { TrialRecord } from '../store/records.js';

/** The message an experiment ends with when it ran out of budget, space or time, or a stop rule fired. */
export function endMessage(endReason: string, best: TrialRecord | undefined): string {
  return `${endReason}${best ? '' : '; no configuration met the objective and constraints'}`;
}
