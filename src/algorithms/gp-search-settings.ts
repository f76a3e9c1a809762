import { z } from 'zod';
import { parseKnobList } from './initial-design.js';

/** Settings `bo` and `vizier` share: the corner design, the model fit and the candidate set. */
export const gpSearchSettings = {
  /** Succeeded trials wanted from the corner design before the model takes over (0: none). */
  initialDesign: z.coerce.number().int().min(0).default(8),
  /** Comma-separated numeric knobs whose corners form the initial design; empty: the first three. */
  designKnobs: z.string().default('').transform(parseKnobList),
  seed: z.coerce.number().int().min(0).default(1),
  /** Starts of each hyperparameter optimisation. */
  restarts: z.coerce.number().int().min(1).max(20).default(3),
  /** Encoded distance within which a failed or infeasible configuration makes a candidate suspect. */
  infeasibleRadius: z.coerce.number().min(0).default(0.1),
  /** Spaces larger than this are scored on a seeded sample (plus neighbours of the best configurations). */
  maxCandidates: z.coerce.number().int().min(1).default(5000),
};
