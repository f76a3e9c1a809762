import { setTimeout as sleep } from 'node:timers/promises';
import { InfeasibleConfigError, TrialFaultError } from '../../errors.js';
import { outputTail } from '../output-tail.js';
import type { KubeClient } from './api-client.js';
import type { Deployment } from './kube-types.js';
import { describePods, type PodProblem, podProblem } from './pod-failures.js';
import { KINDS } from './resources.js';

export interface AvailabilityOptions {
  namespace: string;
  deployment: string;
  /** Label selector of the Deployment's pods. */
  pods: string;
  deadlineMs: number;
  /** How long a pod may stay unschedulable before the configuration is judged not to fit the cluster. */
  unschedulableGraceMs: number;
  pollMs: number;
  signal: AbortSignal;
}

/**
 * Waits until the Deployment reports an available replica (condition `Available=True` and
 * `availableReplicas >= 1`), watching its pods meanwhile so a doomed start ends early and is classified:
 * OOMKilled → infeasible; unschedulable for longer than the grace period → infeasible (no node has
 * room for what the configuration asks); image pull and container creation errors, crashes, and
 * `ProgressDeadlineExceeded` or the deadline → faults, with the crashed container's last output.
 */
export async function waitForAvailable(client: KubeClient, options: AvailabilityOptions): Promise<void> {
  const { namespace, signal } = options;
  const end = Date.now() + options.deadlineMs;
  let unschedulableSince: number | undefined;
  for (;;) {
    signal.throwIfAborted();
    const deployment = await client.get(KINDS.deployment, namespace, options.deployment);
    if (isAvailable(deployment)) return;
    const pods = await client.list(KINDS.pod, namespace, options.pods);
    const problem = podProblem(pods);
    if (problem?.kind === 'unschedulable') {
      unschedulableSince ??= Date.now();
      if (Date.now() - unschedulableSince >= options.unschedulableGraceMs) {
        throw new InfeasibleConfigError(
          `the serving pod could not be scheduled for ${Math.round(options.unschedulableGraceMs / 1000)} s: ${problem.message}`,
        );
      }
    } else {
      unschedulableSince = undefined;
      if (problem) throw await problemError(client, namespace, problem);
    }
    const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      throw new TrialFaultError(
        `deployment ${options.deployment} exceeded its progress deadline: ${progressing.message ?? ''} (${describePods(pods)})`,
        'not-ready',
      );
    }
    if (Date.now() >= end) {
      throw new TrialFaultError(
        `deployment ${options.deployment} was not available within ${Math.round(options.deadlineMs / 1000)} s (${describePods(pods)})`,
        'not-ready',
      );
    }
    await sleep(options.pollMs, undefined, { signal });
  }
}

function isAvailable(deployment: Deployment): boolean {
  const available = deployment.status?.conditions?.find((c) => c.type === 'Available');
  return available?.status === 'True' && (deployment.status?.availableReplicas ?? 0) >= 1;
}

/** The error a pod problem means for the trial, with the container's last output when it crashed. */
export async function problemError(
  client: KubeClient,
  namespace: string,
  problem: PodProblem,
): Promise<Error> {
  switch (problem.kind) {
    case 'oom':
      return new InfeasibleConfigError(
        `the serving pod ${problem.pod} was OOMKilled at its memory limit: ${problem.message}`,
      );
    case 'unschedulable':
      return new InfeasibleConfigError(
        `the serving pod ${problem.pod} cannot be scheduled: ${problem.message}`,
      );
    case 'image':
      return new TrialFaultError(
        `pod ${problem.pod} cannot pull its image: ${problem.message}`,
        'image-pull',
        {
          retryable: false,
        },
      );
    case 'config':
      return new TrialFaultError(`pod ${problem.pod} cannot start: ${problem.message}`, 'container-config', {
        retryable: false,
      });
    case 'crash': {
      const output = await lastOutput(client, namespace, problem.pod, problem.container);
      return new TrialFaultError(`pod ${problem.pod}: ${problem.message}${output}`, 'crash');
    }
  }
}

/** The crashed run's output (`previous`), or the current one if the container has not restarted yet. */
async function lastOutput(
  client: KubeClient,
  namespace: string,
  pod: string,
  container: string,
): Promise<string> {
  for (const previous of [true, false]) {
    const logs = await client.podLogs(namespace, pod, { container, previous, tailLines: 20 }).catch(() => '');
    const tail = outputTail(logs);
    if (tail) return tail;
  }
  return '';
}
