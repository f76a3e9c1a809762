import { SYNTHETIC_FAMILY_SPACE, syntheticTable } from '../../src/bench/synthetic.js';
import { SearchSpace } from '../../src/space/search-space.js';

/**
 * A family of SYNTHETIC profile tables for the meta-model and algorithm tests: the generator the
 * search-cost benchmark also uses (src/bench/synthetic.ts), under the names these tests use.
 */
export const FAMILY_SPACE = SYNTHETIC_FAMILY_SPACE;
export const familySpace = new SearchSpace(FAMILY_SPACE);
export const syntheticTask = (task: number) => syntheticTable(task);
