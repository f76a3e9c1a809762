import type { ObjectMeta } from '../runners/kubernetes/kube-types.js';
import type { ResourceKind } from '../runners/kubernetes/resources.js';

/**
 * The ProfilingExperiment custom resource (deploy/crd/profilingexperiments.yaml). `spec` is an
 * experiment file's spec; `status` uses alibaba/morphling's ProfilingExperimentStatus field names
 * (api/v1alpha1/profilingexperiment_types.go: conditions, currentOptimalTrial, startTime,
 * completionTime, trialsTotal/Succeeded/Failed/Running/Pending) plus `phase`, `message`,
 * `observedGeneration` and `trialsInfeasible`, which theirs lacks.
 */
export interface ProfilingExperimentObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string; namespace?: string; uid?: string; generation?: number };
  spec?: unknown;
  status?: ProfilingExperimentStatus;
}

export const PROFILING_EXPERIMENTS: ResourceKind<ProfilingExperimentObject> = Object.freeze({
  kind: 'ProfilingExperiment',
  apiVersion: 'tuning.kubedl.io/v1alpha1',
  prefix: '/apis/tuning.kubedl.io/v1alpha1',
  plural: 'profilingexperiments',
});

/** The experiment's lifecycle as `kubectl get pe` shows it; Stopped is ours (deleted or stopped runs). */
export type Phase = 'Created' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';
export const PHASES: readonly Phase[] = ['Created', 'Running', 'Succeeded', 'Failed', 'Stopped'];

/** alibaba/morphling's ProfilingCondition, with Kubernetes' usual `reason` and `lastTransitionTime`. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** alibaba/morphling's TrialResult: values are strings there, so they are here. */
export interface TrialResult {
  tunableParameters: { name: string; value: string; category: string }[];
  objectiveMetricsObserved: { name: string; value: string }[];
}

export interface ProfilingExperimentStatus {
  phase?: Phase;
  message?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  currentOptimalTrial?: TrialResult;
  startTime?: string;
  completionTime?: string;
  trialsTotal?: number;
  trialsSucceeded?: number;
  trialsFailed?: number;
  trialsInfeasible?: number;
  trialsRunning?: number;
  trialsPending?: number;
}

/**
 * The stored experiment document records which object it came from, so that the operator deletes only
 * experiments it created when their object goes, never one submitted through the API with the same name.
 */
export const OWNER_ANNOTATION = 'tuning.kubedl.io/owner-uid';
