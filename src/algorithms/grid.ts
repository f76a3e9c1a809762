import { z } from 'zod';
import type { Config } from '../space/parameter.js';
import { defineAlgorithm } from './algorithm.js';

/** Exhaustive search in grid order (the last parameter varies fastest). */
export const grid = defineAlgorithm({
  name: 'grid',
  description: 'every configuration in grid order',
  settings: z.strictObject({}),
  create: () => ({
    suggest({ space, history, count }) {
      const tried = new Set(history.map((o) => space.key(o.config)));
      const result: Config[] = [];
      for (let i = 0; i < space.size && result.length < count; i++) {
        const config = space.configAt(i);
        if (!tried.has(space.key(config))) result.push(config);
      }
      return result;
    },
  }),
});
