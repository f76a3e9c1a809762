import { SpecError } from '../errors.js';
import { parseExperimentText } from '../spec/load.js';
import { resolveExperiment } from '../spec/resolve.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import { type LocatedProblem, locateProblems } from './problem-lines.js';

export type Submission =
  | { valid: true; experiment: ResolvedExperiment }
  | { valid: false; problems: LocatedProblem[] };

/** Media types the experiment endpoints accept; everything else is 415. */
export const JSON_TYPE = 'application/json';
export const YAML_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
];

/**
 * Validates a submitted experiment document with the CLI's own code (same field paths and messages),
 * adding the line of each problem in the text. Relative paths inside resolve against `baseDir`.
 */
export function validateSubmission(
  text: string,
  contentType: string | undefined,
  baseDir: string,
): Submission {
  // parseExperimentText picks JSON or YAML by the file name and prefixes syntax errors with it.
  const source = mediaType(contentType) === JSON_TYPE ? 'body.json' : 'body.yaml';
  try {
    const experiment = resolveExperiment(parseExperimentText(text, source), baseDir);
    return { valid: true, experiment };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const located = locateProblems(text, error.problems);
    return { valid: false, problems: located.map((problem) => fromSource(problem, source)) };
  }
}

/** `body.yaml:3:5` (a syntax error) → line 3 of the body; `body.yaml` → the body as a whole. */
function fromSource(problem: LocatedProblem, source: string): LocatedProblem {
  if (problem.path === source) return { path: '', message: problem.message };
  const at = problem.path.startsWith(`${source}:`)
    ? /^:(\d+):\d+$/.exec(problem.path.slice(source.length))
    : null;
  return at ? { path: '', message: problem.message, line: Number(at[1]) } : problem;
}

export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}
