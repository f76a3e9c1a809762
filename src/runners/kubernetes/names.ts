import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Labels on everything the runner creates; `morphling.controller` ties an object to a controller's Lease. */
export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  experiment: 'morphling.experiment',
  trial: 'morphling.trial',
  attempt: 'morphling.attempt',
  role: 'morphling.role',
  controller: 'morphling.controller',
} as const;

export const MANAGED_BY = 'morphling';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends): the text
 * itself when it fits, else a prefix and a hash, so long experiment names stay distinct.
 */
export function labelValue(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9._-]/g, '-');
  const fit = clean.length <= 63 ? clean : `${clean.slice(0, 56)}-${shortHash(text)}`;
  return fit.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '') || shortHash(text);
}

/**
 * The name of a trial's objects: a DNS-1035 label (what a Service name must be: lower-case
 * alphanumerics and '-', starting with a letter, at most 63), readable when the experiment name is short.
 */
export function trialObjectName(experiment: string, trialId: number, attempt: number, role = ''): string {
  const suffix = `-t${trialId}-a${attempt}${role ? `-${role}` : ''}`;
  let base = experiment.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(base)) base = `m-${base}`;
  const room = 63 - suffix.length;
  if (base.length > room) base = `${base.slice(0, room - 7)}-${shortHash(experiment)}`;
  return `${base.replace(/-+$/, '')}${suffix}`;
}

/** This controller's identity: host (the pod name in a cluster), pid and a random part, as a label value. */
export function newControllerId(): string {
  return labelValue(`${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`);
}

export function trialLabels(
  experiment: string,
  trialId: number,
  attempt: number,
  controller: string,
): Record<string, string> {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.experiment]: labelValue(experiment),
    [LABEL.trial]: String(trialId),
    [LABEL.attempt]: String(attempt),
    [LABEL.controller]: controller,
  };
}

export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
