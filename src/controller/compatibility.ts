import { isDeepStrictEqual } from 'node:util';
import { ConflictError } from '../errors.js';
import type { ExperimentDocument } from '../spec/schema.js';

/** Fields a resumed experiment may change: they steer how long it runs, not what it measures. */
export const ADJUSTABLE = ['maxNumTrials', 'parallelism', 'stop', 'maxTrialAttempts'] as const;

/**
 * Throws `ConflictError` when a spec reuses the name of a stored experiment but would measure something
 * else (another space, objective, runner, service or load), since its trials would not be comparable.
 */
export function assertResumable(name: string, stored: unknown, next: ExperimentDocument): void {
  const strip = (document: unknown) => {
    const copy = structuredClone(document) as { spec?: Record<string, unknown> };
    for (const field of ADJUSTABLE) delete copy.spec?.[field];
    return copy;
  };
  const before = strip(stored) as { spec?: Record<string, unknown> };
  const after = strip(next) as { spec?: Record<string, unknown> };
  if (isDeepStrictEqual(before, after)) return;
  const keys = new Set([...Object.keys(before.spec ?? {}), ...Object.keys(after.spec ?? {})]);
  const changed = [...keys]
    .filter((k) => !isDeepStrictEqual(before.spec?.[k], after.spec?.[k]))
    .map((k) => `spec.${k}`);
  throw new ConflictError(
    `experiment "${name}" already exists with a different ${changed.length ? changed.join(', ') : 'document'}; ` +
      `only ${ADJUSTABLE.map((f) => `spec.${f}`).join(', ')} may change on resume. Rename the experiment or delete the old one.`,
  );
}
