import type { AlgorithmDefinition } from './algorithm.js';
import { bo } from './bo.js';
import { ernest } from './ernest.js';
import { finetune } from './finetune.js';
import { grid } from './grid.js';
import { morphling } from './morphling.js';
import { morphlingGp } from './morphling-gp.js';
import { random } from './random.js';
import { vizier } from './vizier.js';

/** Every algorithm by name: adding one is one new file and one line here. */
export const ALGORITHMS = {
  bo,
  ernest,
  finetune,
  grid,
  morphling,
  'morphling-gp': morphlingGp,
  random,
  vizier,
} as const satisfies Record<string, AlgorithmDefinition>;

export type AlgorithmName = keyof typeof ALGORITHMS;

export function algorithmNames(): string[] {
  return Object.keys(ALGORITHMS);
}

export function findAlgorithm(name: string): AlgorithmDefinition | undefined {
  return Object.hasOwn(ALGORITHMS, name)
    ? (ALGORITHMS as Record<string, AlgorithmDefinition>)[name]
    : undefined;
}
