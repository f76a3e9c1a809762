import type { ContainerStatus, Pod } from './kube-types.js';

/**
 * What is wrong with a trial's pods, read from their status as the scheduler and the kubelet report it:
 * - `oom`: a container was killed at its memory limit (`OOMKilled`, now or before a restart): the
 *   configuration is infeasible.
 * - `unschedulable`: no node can take the pod (`PodScheduled=False`, reason `Unschedulable`, e.g.
 *   "Insufficient cpu"); infeasible once it lasts (the caller decides how long).
 * - `image`: the image cannot be pulled (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`): a
 *   fault the same trial would hit again.
 * - `config`: the container cannot be created (`CreateContainerConfigError`: a missing ConfigMap or
 *   Secret, ...): also a fault that retrying cannot fix.
 * - `crash`: a container exited or restarts (`CrashLoopBackOff`, a terminated state): a fault.
 */
export type PodProblem =
  | { kind: 'oom'; pod: string; container: string; message: string }
  | { kind: 'unschedulable'; pod: string; message: string }
  | { kind: 'image' | 'config'; pod: string; container: string; message: string }
  | { kind: 'crash'; pod: string; container: string; message: string; exitCode?: number };

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** The most telling problem of the pods, OOM first (it decides feasibility), or undefined when healthy. */
export function podProblem(pods: readonly Pod[]): PodProblem | undefined {
  const problems = pods.flatMap(problemsOf);
  const order: PodProblem['kind'][] = ['oom', 'image', 'config', 'crash', 'unschedulable'];
  return order.map((kind) => problems.find((p) => p.kind === kind)).find((p) => p !== undefined);
}

function problemsOf(pod: Pod): PodProblem[] {
  const name = pod.metadata.name ?? '?';
  const problems: PodProblem[] = [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    problems.push({ kind: 'unschedulable', pod: name, message: scheduled.message ?? 'no node fits the pod' });
  }
  for (const status of pod.status?.containerStatuses ?? []) {
    const problem = containerProblem(name, status);
    if (problem) problems.push(problem);
  }
  return problems;
}

function containerProblem(pod: string, status: ContainerStatus): PodProblem | undefined {
  const container = status.name;
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (terminated?.reason === 'OOMKilled') {
    return {
      kind: 'oom',
      pod,
      container,
      message: `container ${container} was OOMKilled (exit code ${terminated.exitCode})`,
    };
  }
  const waiting = status.state?.waiting;
  if (waiting?.reason && IMAGE_REASONS.has(waiting.reason)) {
    return {
      kind: 'image',
      pod,
      container,
      message: `${waiting.reason}: ${waiting.message ?? status.image ?? ''}`.trim(),
    };
  }
  if (waiting?.reason && CONFIG_REASONS.has(waiting.reason)) {
    return { kind: 'config', pod, container, message: `${waiting.reason}: ${waiting.message ?? ''}`.trim() };
  }
  if (terminated || waiting?.reason === 'CrashLoopBackOff') {
    const how = terminated
      ? `exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`
      : 'keeps crashing';
    const restarts = status.restartCount > 0 ? `, restarted ${status.restartCount} times` : '';
    return {
      kind: 'crash',
      pod,
      container,
      message: `container ${container} ${how}${restarts}`,
      exitCode: terminated?.exitCode,
    };
  }
  return undefined;
}

/** One line per pod saying where it stands, for a "not available in time" message. */
export function describePods(pods: readonly Pod[]): string {
  if (pods.length === 0) return 'no pod was created';
  return pods
    .map((pod) => {
      const waiting =
        pod.status?.containerStatuses?.map((s) => s.state?.waiting?.reason).filter(Boolean) ?? [];
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return `${pod.metadata.name}: ${pod.status?.phase ?? 'Pending'}${waiting.length ? ` (${waiting.join(', ')})` : ''}${ready ? ', ready' : ', not ready'}`;
    })
    .join('; ');
}
