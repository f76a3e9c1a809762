import type { ProfileTable } from '../profile/table.js';
import type { SearchSpace } from '../space/search-space.js';

/** A table's model family (header `model.family`), or its model name when it names none. */
export function tableFamily(table: ProfileTable): string {
  return table.header.model.family ?? table.header.model.name;
}

/**
 * What decides whether a network trained on one space can score another: knob names in order, each
 * knob's values (magnitudes, so `"1"` and `1` agree) and scale — the same test as space-match.ts.
 */
export function spaceSignature(space: SearchSpace): string {
  return JSON.stringify(
    space.parameters.map((p) => [p.name, (p.magnitudes ?? p.values).map(String), p.scale]),
  );
}

/** One fold of leave-one-family-out: a held-out family's tables and the tables a meta-model may learn from. */
export interface FamilySplit {
  family: string;
  /** The held-out family's tables (all of one space). */
  test: ProfileTable[];
  /** Every table of another family over a space that encodes like the test tables'. */
  train: ProfileTable[];
}

/**
 * Leave-one-family-out folds, one per (family, space): a model family is never in its own training set
 * (a sibling model would leak its surface), and only tables of the same space can train a network that
 * scores it. A fold may have no training tables (nothing else shares its space).
 */
export function leaveOneFamilyOut(tables: readonly ProfileTable[]): FamilySplit[] {
  const folds = new Map<string, FamilySplit & { signature: string }>();
  for (const table of tables) {
    const family = tableFamily(table);
    const signature = spaceSignature(table.space);
    const key = JSON.stringify([family, signature]);
    let fold = folds.get(key);
    if (!fold) {
      fold = { family, signature, test: [], train: [] };
      folds.set(key, fold);
    }
    fold.test.push(table);
  }
  return [...folds.values()].map(({ family, signature, test }) => ({
    family,
    test,
    train: tables.filter((t) => tableFamily(t) !== family && spaceSignature(t.space) === signature),
  }));
}
