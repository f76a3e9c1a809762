import { isDeepStrictEqual } from 'node:util';
import { ADJUSTABLE, assertResumable } from '../controller/compatibility.js';
import { ConflictError } from '../errors.js';
import type { ExperimentDocument } from '../spec/schema.js';

export type SpecChange =
  | { kind: 'none' }
  | { kind: 'raise-budget'; maxNumTrials: number }
  | { kind: 'refused'; reason: string; message: string };

/**
 * What an edited object's spec asks of the stored experiment. The resume rules of `morphling run`
 * (controller/compatibility.ts) decide what may change at all; of the fields they allow, the operator
 * applies only a larger `maxNumTrials` (ExperimentManager.resume takes nothing else), and says so for
 * the rest rather than silently ignoring them. Both documents are validated, defaults filled.
 */
export function specChange(name: string, stored: ExperimentDocument, next: ExperimentDocument): SpecChange {
  if (isDeepStrictEqual(stored.spec, next.spec)) return { kind: 'none' };
  try {
    // Metadata is not compared: labels and annotations of the object may change freely.
    assertResumable(name, { spec: stored.spec }, { spec: next.spec } as ExperimentDocument);
  } catch (error) {
    if (error instanceof ConflictError)
      return { kind: 'refused', reason: 'IncompatibleChange', message: error.message };
    throw error;
  }
  const others = ADJUSTABLE.filter(
    (field) => field !== 'maxNumTrials' && !isDeepStrictEqual(stored.spec[field], next.spec[field]),
  );
  if (others.length > 0) {
    return {
      kind: 'refused',
      reason: 'UnsupportedChange',
      message: `${others.map((f) => `spec.${f}`).join(', ')} cannot change on an existing ProfilingExperiment; only a larger spec.maxNumTrials is applied (delete and re-create the object to change the rest)`,
    };
  }
  if (next.spec.maxNumTrials < stored.spec.maxNumTrials) {
    return {
      kind: 'refused',
      reason: 'BudgetLowered',
      message: `spec.maxNumTrials cannot go down (${stored.spec.maxNumTrials} → ${next.spec.maxNumTrials}): trials already counted against the budget are kept`,
    };
  }
  return { kind: 'raise-budget', maxNumTrials: next.spec.maxNumTrials };
}
