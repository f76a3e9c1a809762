import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ConflictError, NotFoundError, SpecError } from '../errors.js';
import { formatPath } from '../spec/problems.js';

/** An error that is the client's to fix, with the HTTP status that says so. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a request part (params, query, a header, a body) at the boundary; 400 when it does not fit. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const reasons = parsed.error.issues.map((issue) => {
    const path = formatPath(issue.path);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new HttpError(400, `invalid ${what}: ${reasons.join('; ')}`);
}

/**
 * Maps errors to status codes: the project's own errors by what the caller should do next, fastify's
 * (body too large, unsupported media type, ...) by their status; anything else is a 500 with the
 * details in the log only.
 */
export function sendError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
  log: (line: string) => void,
): FastifyReply {
  if (error instanceof SpecError) {
    return reply.code(400).send({ error: 'invalid experiment', problems: error.problems });
  }
  if (error instanceof NotFoundError) return reply.code(404).send({ error: error.message });
  if (error instanceof ConflictError) return reply.code(409).send({ error: error.message });
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send({ error: error.message });
  }
  log(`${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
  return reply.code(500).send({ error: 'internal server error (see the server log)' });
}
