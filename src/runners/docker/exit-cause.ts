import { InfeasibleConfigError, TrialFaultError } from '../../errors.js';
import type { ContainerInspect } from './engine-types.js';

/**
 * Why a container stopped, from the daemon's own record: killed by the kernel at its memory limit
 * (`State.OOMKilled`) makes the configuration infeasible; any other exit is a fault of the trial, with
 * the last lines the server wrote, so the reason is in the trial's record after the container is gone.
 */
export function containerExitCause(inspect: ContainerInspect | undefined, logs: string): Error | undefined {
  if (!inspect) return new TrialFaultError('the container disappeared', 'crash');
  const state = inspect.State;
  if (state.Running || state.Status === 'created') return undefined;
  if (state.OOMKilled) {
    const limit = inspect.HostConfig.Memory;
    const at = limit ? ` of ${Math.round(limit / 2 ** 20)} MiB` : '';
    return new InfeasibleConfigError(`the container was OOM-killed at its memory limit${at}${tail(logs)}`);
  }
  const how = state.Error ? `failed: ${state.Error}` : `exited with code ${state.ExitCode}`;
  return new TrialFaultError(`the container ${how}${tail(logs)}`, 'crash');
}

/** The last lines of a server's output, bounded, for an error message. */
export function tail(logs: string): string {
  const lines = logs.trim().split('\n').filter(Boolean).slice(-8);
  return lines.length > 0 ? `; its last output: ${lines.join(' | ').slice(-1200)}` : '';
}
