import { type Condition, PHASES, type Phase } from './resource.js';

export interface ConditionUpdate {
  type: string;
  status: Condition['status'];
  reason?: string;
  message?: string;
}

/**
 * Sets one condition, Kubernetes-style: `lastTransitionTime` moves only when `status` flips,
 * `lastUpdateTime` (alibaba/morphling's field) whenever anything about it changes. Unchanged input
 * returns equal conditions, so a status that did not change is not written again.
 */
export function setCondition(
  conditions: readonly Condition[],
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const existing = conditions.find((c) => c.type === update.type);
  const others = conditions.filter((c) => c.type !== update.type);
  if (
    existing &&
    existing.status === update.status &&
    existing.reason === update.reason &&
    existing.message === update.message
  ) {
    return [...conditions];
  }
  const condition: Condition = {
    type: update.type,
    status: update.status,
    ...(update.reason ? { reason: update.reason } : {}),
    ...(update.message ? { message: update.message } : {}),
    lastUpdateTime: now,
    lastTransitionTime: existing && existing.status === update.status ? existing.lastTransitionTime : now,
  };
  return [...others, condition];
}

/**
 * Marks `phase` as the current condition (True) and any other phase condition False, and orders the
 * list so that the current phase is last: the CRD's State column (alibaba/morphling's printer column)
 * shows `.status.conditions[-1:].type`.
 */
export function setPhase(
  conditions: readonly Condition[],
  phase: Phase,
  reason: string,
  message: string | undefined,
  now: string,
): Condition[] {
  let next = [...conditions];
  for (const other of PHASES) {
    if (other !== phase && next.some((c) => c.type === other && c.status === 'True')) {
      next = setCondition(next, { type: other, status: 'False', reason: `Now${phase}` }, now);
    }
  }
  return phaseLast(setCondition(next, { type: phase, status: 'True', reason, message }, now));
}

/** Other conditions first, then phase conditions, the True one (the current phase) last. */
export function phaseLast(conditions: readonly Condition[]): Condition[] {
  const isPhase = (c: Condition) => (PHASES as readonly string[]).includes(c.type);
  const current = conditions.filter((c) => isPhase(c) && c.status === 'True');
  return [
    ...conditions.filter((c) => !isPhase(c)),
    ...conditions.filter((c) => isPhase(c) && c.status !== 'True'),
    ...current,
  ];
}
