import { z } from 'zod';
import { priorMeanSearch } from '../metamodel/prior-search.js';
import { defineAlgorithm } from './algorithm.js';
import { onlineSettings } from './morphling.js';

/** morphling's settings without the fine-tuning ones (a `pooled` weights file), plus EI's margin. */
const settings = onlineSettings
  .pick({
    metamodel: true,
    designKnobs: true,
    seed: true,
    feasibilityThreshold: true,
    coverageAttempts: true,
    maxCandidates: true,
  })
  .extend({
    /** Corners tried before the model takes over; 0: the prior's best configuration is the first trial. */
    initialDesign: z.coerce.number().int().min(0).default(0),
    /** EI's minimum improvement, as a fraction of the best score so far (targets are normalised to it). */
    xi: z.coerce.number().min(0).default(0),
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
