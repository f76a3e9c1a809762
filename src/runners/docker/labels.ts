import { hostname } from 'node:os';
import { isAlive } from '../local/child-process.js';

/**
 * Labels on every container the docker runner creates. `morphling.controller` names the process that
 * created it (`host/pid`), so that a controller started after a crash can tell its dead predecessor's
 * leftovers from containers a live controller (another experiment, another worker) is still using.
 */
export const LABEL = {
  experiment: 'morphling.experiment',
  trial: 'morphling.trial',
  attempt: 'morphling.attempt',
  controller: 'morphling.controller',
} as const;

export function controllerId(pid = process.pid, host = hostname()): string {
  return `${host}/${pid}`;
}

/**
 * Whether the controller that labelled a container is gone: only decidable for controllers on this
 * host (by pid). A controller elsewhere sharing the daemon is assumed alive — its leftovers are its own.
 */
export function controllerIsDead(id: string | undefined, host = hostname()): boolean {
  if (!id) return false;
  const slash = id.lastIndexOf('/');
  const pid = Number(id.slice(slash + 1));
  if (id.slice(0, slash) !== host || !Number.isInteger(pid) || pid <= 0) return false;
  return !isAlive(pid);
}

export function trialLabels(experiment: string, trialId: number, attempt: number): Record<string, string> {
  return {
    [LABEL.experiment]: experiment,
    [LABEL.trial]: String(trialId),
    [LABEL.attempt]: String(attempt),
    [LABEL.controller]: controllerId(),
  };
}
