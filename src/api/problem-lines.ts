import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { SpecProblem } from '../errors.js';

export interface LocatedProblem extends SpecProblem {
  /** 1-based line of the field in the submitted text, for an editor's inline markers. */
  line?: number;
}

/**
 * Adds to each problem the line of its field in the submitted YAML or JSON text (JSON is YAML too).
 * A field that is missing points at its nearest ancestor that is there: "spec.maxNumTrials is
 * required" marks the `spec:` line.
 */
export function locateProblems(text: string, problems: readonly SpecProblem[]): LocatedProblem[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  return problems.map((problem) => {
    const line = problem.path === '' ? undefined : locate(document.contents, pathKeys(problem.path), lineAt);
    return line === undefined ? { ...problem } : { ...problem, line };
  });
}

/** `spec.tunableParameters[1].parameters[0]` → ['spec', 'tunableParameters', 1, 'parameters', 0]. */
export function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/\[(\d+)\]|[^.[\]]+/g)].map((m) => (m[1] === undefined ? m[0] : Number(m[1])));
}

function locate(
  root: unknown,
  keys: readonly (string | number)[],
  lineAt: (offset: number) => number,
): number | undefined {
  let node = root;
  let line: number | undefined;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      // The key's line: a block value (a list, a mapping) starts on the line after it.
      const start = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (start !== undefined) line = lineAt(start);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as { range?: [number, number, number] } | undefined;
      if (!item?.range) break;
      line = lineAt(item.range[0]);
      node = item;
    } else {
      break;
    }
  }
  return line;
}
