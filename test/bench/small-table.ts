import { PROFILE_FORMAT, ProfileTable } from '../../src/profile/table.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE, syntheticRows } from '../helpers/synthetic-table.js';

/** A small SYNTHETIC table (144 configurations, some infeasible): made up by code, not measured. */
export function smallTable(): ProfileTable {
  return new ProfileTable(
    {
      format: PROFILE_FORMAT,
      model: { name: 'small', family: 'synthetic' },
      space: SYNTHETIC_SPACE,
      synthetic: true,
    },
    syntheticRows(),
    new SearchSpace(SYNTHETIC_SPACE),
  );
}
