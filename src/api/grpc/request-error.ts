import { status } from '@grpc/grpc-js';
import { formatProblem, type SpecProblem } from '../../errors.js';

/** At most this many problems are spelled out in one status message. */
const MAX_PROBLEMS_SHOWN = 10;

/** A request the server refuses, with the gRPC status code to answer and one problem per field. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: status,
    readonly problems: readonly SpecProblem[],
  ) {
    super(formatProblems(problems));
  }
}

/** `field: reason; field: reason` (the first ten, then how many more). */
export function formatProblems(problems: readonly SpecProblem[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
  if (problems.length > MAX_PROBLEMS_SHOWN) shown.push(`and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
  return shown.join('; ');
}

export function invalidArgument(problems: readonly SpecProblem[]): RequestError {
  return new RequestError(status.INVALID_ARGUMENT, problems);
}
