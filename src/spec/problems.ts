import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { SpecProblem } from '../errors.js';
import { describe } from '../space/schema.js';

/** `spec.tunableParameters[1].parameters[0]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/** ` (did you mean "x"?)` when one of the candidates is a plausible typo of the word, else ``. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word, candidates as string[]);
  const tolerance = Math.max(2, Math.floor(best.length / 3));
  const near =
    distance(word.toLowerCase(), best.toLowerCase()) <= tolerance ||
    best.toLowerCase() === word.toLowerCase();
  return near ? ` (did you mean "${best}"?)` : '';
}

/** One problem per zod issue, with the field path and a reason a person can act on. */
export function problemsFromZod(error: z.ZodError, root: z.ZodType): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(root, issue.path);
        for (const key of issue.keys) {
          problems.push({
            path: formatPath([...issue.path, key]),
            message: `unknown field${didYouMean(key, known)}`,
          });
        }
        break;
      }
      case 'invalid_type':
        problems.push({
          path,
          message:
            issue.input === undefined
              ? 'is required'
              : `expected ${article(issue.expected)}, got ${describe(issue.input)}`,
        });
        break;
      case 'invalid_value': {
        const allowed = issue.values.map(String);
        const input = issue.input === undefined ? undefined : String(issue.input);
        problems.push({
          path,
          message:
            input === undefined
              ? 'is required'
              : `must be one of ${allowed.join(', ')}; got ${JSON.stringify(issue.input)}${didYouMean(input, allowed)}`,
        });
        break;
      }
      case 'too_small':
        problems.push({
          path,
          message:
            issue.origin === 'array' && Number(issue.minimum) === 1
              ? 'must not be empty'
              : issue.origin === 'string' && Number(issue.minimum) === 1
                ? 'must not be empty'
                : `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}${issue.origin === 'array' ? ' items' : ''}, got ${describe(issue.input)}`,
        });
        break;
      case 'too_big':
        problems.push({
          path,
          message: `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${describe(issue.input)}`,
        });
        break;
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', int: 'an integer' };
  return names[type] ?? `a ${type}`;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwraps optional/default/pipe layers down to the schema that describes the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/** The field names the schema allows at a path (for "did you mean"). */
function knownKeys(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = unwrap(root);
  for (const key of path) {
    if (!schema) return [];
    const def = defOf(schema);
    const next: z.ZodType | undefined =
      typeof key === 'number' ? def.element : (def.shape?.[String(key)] ?? def.valueType);
    schema = next ? unwrap(next) : undefined;
  }
  const shape = schema ? defOf(schema).shape : undefined;
  return shape ? Object.keys(shape) : [];
}
