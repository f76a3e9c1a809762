import { taskObjective } from '../metamodel/tasks.js';
import { type Objective, PricingSchema } from '../objective/index.js';

/**
 * The paper's three objectives (SoCC'21, section 5): peak RPS; RPS per cost with the paper's prices
 * (base 0.2, CPU 0.02 per core, GPUs by type, per hour); and RPS per cost with CPU free.
 */
export const BENCH_OBJECTIVES = ['rps', 'rps_per_cost', 'rps_per_cost_nocpu'] as const;
export type BenchObjectiveName = (typeof BENCH_OBJECTIVES)[number];

export function isBenchObjective(name: string): name is BenchObjectiveName {
  return (BENCH_OBJECTIVES as readonly string[]).includes(name);
}

/** The objective (maximised) a bench objective name stands for. */
export function benchObjective(name: BenchObjectiveName): Objective {
  switch (name) {
    case 'rps':
      return taskObjective('rps', { goal: 'maximize' });
    case 'rps_per_cost':
      return taskObjective('rps_per_cost', { goal: 'maximize', pricing: PricingSchema.parse({}) });
    case 'rps_per_cost_nocpu':
      return taskObjective('rps_per_cost', {
        goal: 'maximize',
        pricing: PricingSchema.parse({ cpuPerCore: 0 }),
      });
  }
}
