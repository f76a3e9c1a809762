import { z } from 'zod';
import { priorMeanSearch } from '../metamodel/prior-search.js';
import { defineAlgorithm } from './algorithm.js';
import { parseKnobList } from './initial-design.js';

const settings = z.strictObject({
  /** Path of the weights file (`morphling-metamodel/1` JSON, kind `pooled`); empty: the shipped default. */
  metamodel: z.string().default(''),
  /** Corners tried before the model takes over; 0: the prior's best configuration is the first trial. */
  initialDesign: z.coerce.number().int().min(0).default(0),
  /** Comma-separated numeric knobs whose corners form the initial design; empty: the first three. */
  designKnobs: z.string().default('').transform(parseKnobList),
  /** EI's minimum improvement, as a fraction of the best score so far (targets are normalised to it). */
  xi: z.coerce.number().min(0).default(0),
  seed: z.coerce.number().int().min(0).default(1),
  /** As in morphling: candidates judged likely infeasible (p below this) are pulled down; 0: off. */
  feasibilityThreshold: z.coerce.number().min(0).max(1).default(0.5),
  /** As in morphling: trials each categorical value gets before the model alone judges it; 0: off. */
  coverageAttempts: z.coerce.number().int().min(0).default(2),
  /** Spaces larger than this are scored on a seeded sample (plus neighbours of the best configurations). */
  maxCandidates: z.coerce.number().int().min(1).default(5000),
});

/**
 * Morphling's meta-learned prior with a Gaussian process in place of online fine-tuning (our variant,
 * not the paper's): the network regressed on the corpus (a `pooled` weights file) is the GP's prior
 * mean, the GP fits this service's residuals, expected improvement picks. On the corpus, fine-tuning a
 * network on a handful of noisy points moved its ranking of the near-optimal configurations more than
 * the points justified; the GP keeps the prior where there are no trials and trusts trials where there
 * are (docs/benchmarks.md, "Search cost on the real corpus").
 */
export const morphlingGp = defineAlgorithm({
  name: 'morphling-gp',
  description:
    'meta-learned network as the prior mean of a GP on this service’s residuals, expected improvement',
  settings,
  create: (options) => priorMeanSearch('pooled', 'morphling-gp', options),
});
