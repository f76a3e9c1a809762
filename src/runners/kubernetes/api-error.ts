import type { Status } from './kube-types.js';

/**
 * An error answer of the API server, carrying its meta/v1 Status: `code` (404, 409, 422, ...) and
 * `reason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, ...), so callers can tell
 * "already exists" from "forbidden" without parsing messages.
 */
export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  readonly code: number;
  readonly reason: string;

  constructor(
    readonly operation: string,
    status: Partial<Status> & { code: number },
  ) {
    super(`${operation}: ${status.message ?? `HTTP ${status.code}`} (${status.reason ?? status.code})`);
    this.code = status.code;
    this.reason = status.reason ?? 'Unknown';
  }

  static from(operation: string, statusCode: number, body: string): KubernetesApiError {
    try {
      const status = JSON.parse(body) as Partial<Status>;
      if (status.kind === 'Status') return new KubernetesApiError(operation, { ...status, code: statusCode });
    } catch {
      // Not JSON: a proxy or load balancer in front of the API server answered.
    }
    return new KubernetesApiError(operation, {
      code: statusCode,
      message: body.trim().slice(0, 300) || `HTTP ${statusCode}`,
    });
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.code === 404;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.code === 409;
}
