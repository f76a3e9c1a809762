import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParameterSpec } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';
import { assertSameSpace } from './space-match.js';
import type { MetamodelKind } from './weights-file.js';

/** The shipped meta-models: repository root `data/metamodels/`, one weights file per space, objective and kind. */
export const SHIPPED_METAMODELS = fileURLToPath(new URL('../../data/metamodels/', import.meta.url));

export interface ShippedChoice {
  /** The weights file to use, if one fits. */
  path?: string;
  /** Why none was chosen (for the fallback warning). */
  why?: string;
}

/**
 * The shipped weights file for a search: same kind, a space that encodes like this one, and trained on
 * this objective's metric (when the caller knows it; otherwise the first that fits). Reads each file's
 * description only; the weights are loaded by the caller.
 */
export async function findShippedMetamodel(
  kind: MetamodelKind,
  space: SearchSpace,
  objectiveMetric: string | undefined,
  folder = SHIPPED_METAMODELS,
): Promise<ShippedChoice> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  if (names.length === 0) return { why: `no shipped meta-models in ${folder}` };
  const fitting: { path: string; metric: string }[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const file = JSON.parse(await readFile(path, 'utf8')) as {
      kind?: string;
      space?: ParameterSpec[];
      objective?: { metric?: string };
    };
    if (file.kind !== kind || !file.space) continue;
    try {
      assertSameSpace(file.space, space, name);
    } catch {
      continue;
    }
    fitting.push({ path, metric: file.objective?.metric ?? '' });
  }
  const match = fitting.find((f) => objectiveMetric === undefined || f.metric === objectiveMetric);
  if (match) return { path: match.path };
  if (fitting.length > 0) {
    return {
      why: `the shipped "${kind}" meta-models for this space are trained for ${fitting.map((f) => f.metric).join(', ')}, not ${objectiveMetric}`,
    };
  }
  return { why: `none of the shipped meta-models in ${folder} is a "${kind}" network for this space` };
}
