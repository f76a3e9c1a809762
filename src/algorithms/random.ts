import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { z } from 'zod';
import type { Config } from '../space/parameter.js';
import { defineAlgorithm } from './algorithm.js';

/**
 * Random search without replacement. Stateless and reproducible: the seed fixes one random permutation
 * of the grid, and each call returns the first configurations of that permutation not yet tried, so a
 * restarted experiment continues the same sequence.
 */
export const random = defineAlgorithm({
  name: 'random',
  description: 'uniform random configurations without replacement (seeded)',
  settings: z.strictObject({ seed: z.coerce.number().int().min(0).default(1) }),
  create: ({ seed }) => ({
    suggest({ space, history, count }) {
      const tried = new Set(history.map((o) => space.key(o.config)));
      const result: Config[] = [];
      for (const index of permutation(space.size, seed)) {
        if (result.length >= count) break;
        const config = space.configAt(index);
        if (!tried.has(space.key(config))) result.push(config);
      }
      return result;
    },
  }),
});

/**
 * The seeded permutation of 0..size-1, generated lazily by Fisher-Yates over a sparse swap table,
 * so taking k elements costs O(k) even for a space of millions of configurations.
 */
export function* permutation(size: number, seed: number): Generator<number> {
  const rng = xoroshiro128plus(seed);
  const swapped = new Map<number, number>();
  for (let i = 0; i < size; i++) {
    const j = unsafeUniformIntDistribution(i, size - 1, rng);
    const atI = swapped.get(i) ?? i;
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, atI);
    swapped.delete(i);
    yield atJ;
  }
}
