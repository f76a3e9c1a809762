import { z } from 'zod';
import { ensureBackend } from '../metamodel/backend.js';
import { DEFAULT_HIDDEN, disposeParams, initMlp } from '../metamodel/mlp.js';
import { acquisitionValues } from '../metamodel/online.js';
import { smboSuggest } from '../metamodel/smbo.js';
import { defineAlgorithm } from './algorithm.js';
import { cornerDesign, parseKnobList } from './initial-design.js';

const settings = z.strictObject({
  /** Corners tried before the network takes over (0: none). */
  initialDesign: z.coerce.number().int().min(0).default(8),
  /** Comma-separated numeric knobs whose corners form the initial design; empty: the first three. */
  designKnobs: z.string().default('').transform(parseKnobList),
  /** Adam steps of each from-scratch training (full batch). */
  trainSteps: z.coerce.number().int().min(1).max(10_000).default(200),
  learningRate: z.coerce.number().positive().default(0.01),
  seed: z.coerce.number().int().min(0).default(1),
  /**
   * Candidates the feasibility classifier (fitted on all finished trials) gives a lower probability of
   * being feasible than this are pulled down in proportion; 0: off.
   */
  feasibilityThreshold: z.coerce.number().min(0).max(1).default(0.5),
  /** Each value of a categorical knob gets up to this many trials before it is judged by the model alone; 0: off. */
  coverageAttempts: z.coerce.number().int().min(0).default(2),
  /** Spaces larger than this are scored on a seeded sample (plus neighbours of the best configurations). */
  maxCandidates: z.coerce.number().int().min(1).default(5000),
});

export type ErnestSettings = z.infer<typeof settings>;

/**
 * The paper's Ernest baseline: Morphling's 2 × 128 ReLU network, but trained from scratch on this
 * service's trials only (seeded init, Adam, full batch, targets normalised by the best observed), then
 * the argmax prediction over the unmeasured configurations — no meta-learning, no exploration bonus.
 * Before any trial has succeeded it fills space. Deterministic for a seed.
 */
export const ernest = defineAlgorithm({
  name: 'ernest',
  description: 'the same 2x128 network trained from scratch on this experiment only; argmax prediction',
  settings,
  create: (options) => ({
    async suggest({ space, history, count }) {
      if (count <= 0) return [];
      await ensureBackend();
      const design = cornerDesign(space, {
        knobs: options.designKnobs.length > 0 ? options.designKnobs : undefined,
        size: options.initialDesign,
      });
      return smboSuggest(space, history, count, { ...options, design }, (task, candidates) => {
        if (task.x.length === 0) return undefined;
        const start = initMlp({ inputDim: space.dimension, hidden: DEFAULT_HIDDEN }, options.seed);
        try {
          return acquisitionValues(start, task.x, task.y, candidates, 0, {
            steps: options.trainSteps,
            learningRate: options.learningRate,
            optimizer: 'adam',
          });
        } finally {
          disposeParams(start);
        }
      });
    },
  }),
});
