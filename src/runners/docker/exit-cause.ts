import { InfeasibleConfigError, TrialFaultError } from '../../errors.js';
import { outputTail } from '../output-tail.js';
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
    return new InfeasibleConfigError(
      `the container was OOM-killed at its memory limit${at}${outputTail(logs)}`,
    );
  }
  const how = state.Error ? `failed: ${state.Error}` : `exited with code ${state.ExitCode}`;
  return new TrialFaultError(`the container ${how}${outputTail(logs)}`, 'crash');
}
