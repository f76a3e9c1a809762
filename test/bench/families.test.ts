import { describe, expect, it } from 'vitest';
import { leaveOneFamilyOut, spaceSignature, tableFamily } from '../../src/bench/families.js';
import { syntheticTables } from '../../src/bench/synthetic.js';
import { PROFILE_FORMAT, ProfileTable } from '../../src/profile/table.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE, syntheticRows } from '../helpers/synthetic-table.js';

const other = (name: string, family: string) =>
  new ProfileTable(
    { format: PROFILE_FORMAT, model: { name, family }, space: SYNTHETIC_SPACE, synthetic: true },
    syntheticRows(),
    new SearchSpace(SYNTHETIC_SPACE),
  );

describe('leave one family out', () => {
  const tables = [
    ...syntheticTables(10),
    other('small-1', 'synthetic-a'), // same family name as synthetic tables, but another space
    other('small-2', 'small'),
    other('small-3', 'small'),
  ];
  const folds = leaveOneFamilyOut(tables);

  it('never puts a test family in training, and trains only on tables of the same space', () => {
    expect(folds.length).toBeGreaterThan(4);
    for (const fold of folds) {
      const families = new Set(fold.train.map(tableFamily));
      expect(families.has(fold.family)).toBe(false);
      for (const test of fold.test) {
        expect(tableFamily(test)).toBe(fold.family);
        expect(fold.train).not.toContain(test);
        for (const train of fold.train) expect(spaceSignature(train.space)).toBe(spaceSignature(test.space));
      }
    }
  });

  it('covers every table exactly once as a test table', () => {
    const tested = folds.flatMap((f) => f.test);
    expect(tested).toHaveLength(tables.length);
    expect(new Set(tested).size).toBe(tables.length);
  });

  it('deals synthetic tables round-robin into families of about three', () => {
    const twelve = syntheticTables(12);
    const byFamily = new Map<string, number>();
    for (const t of twelve) byFamily.set(tableFamily(t), (byFamily.get(tableFamily(t)) ?? 0) + 1);
    expect([...byFamily]).toEqual([
      ['synthetic-a', 3],
      ['synthetic-b', 3],
      ['synthetic-c', 3],
      ['synthetic-d', 3],
    ]);
    const fold = leaveOneFamilyOut(twelve).find((f) => f.family === 'synthetic-b');
    expect(fold?.test.map((t) => t.header.model.name)).toEqual(['synthetic-1', 'synthetic-5', 'synthetic-9']);
    expect(fold?.train).toHaveLength(9);
  });

  it('a fold with nothing else over its space has no training tables', () => {
    const fold = folds.find((f) => f.family === 'synthetic-a' && f.test[0]?.header.model.name === 'small-1');
    expect(fold?.train.map((t) => t.header.model.name)).toEqual(['small-2', 'small-3']);
    const lonely = leaveOneFamilyOut([other('x', 'only')]);
    expect(lonely).toEqual([{ family: 'only', test: [expect.anything()], train: [] }]);
  });
});
