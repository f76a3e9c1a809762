import { SpecError, type SpecProblem } from '../errors.js';
import { resolveExperiment } from '../spec/resolve.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import { OWNER_ANNOTATION, type ProfilingExperimentObject } from './resource.js';

export type Validation =
  | { valid: true; experiment: ResolvedExperiment }
  | { valid: false; problems: SpecProblem[] };

/** Annotations kubectl and controllers add that are not part of the experiment. */
const SYSTEM_ANNOTATION = /^(kubectl\.kubernetes\.io\/|.*\.kubernetes\.io\/)/;

/**
 * The experiment document of an object: its spec, and of its metadata only what an experiment file
 * has (the API server's uid, resourceVersion, managedFields... would be unknown fields to our schema),
 * plus the owner annotation. Validated with the CLI's code, so problems carry the same field paths.
 */
export function validateObject(object: ProfilingExperimentObject, baseDir: string): Validation {
  const { metadata } = object;
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([key]) => !SYSTEM_ANNOTATION.test(key)),
  );
  if (metadata.uid) annotations[OWNER_ANNOTATION] = metadata.uid;
  const document = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      annotations,
    },
    spec: object.spec,
  };
  try {
    return { valid: true, experiment: resolveExperiment(document, baseDir) };
  } catch (error) {
    if (error instanceof SpecError) return { valid: false, problems: [...error.problems] };
    throw error;
  }
}

/** The owner uid a stored experiment document carries, if the operator created it. */
export function ownerOf(document: unknown): string | undefined {
  return (document as { metadata?: { annotations?: Record<string, string> } })?.metadata?.annotations?.[
    OWNER_ANNOTATION
  ];
}
