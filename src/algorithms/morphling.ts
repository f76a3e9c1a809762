import { z } from 'zod';
import { FALLBACK_WARNING, metamodelSearch } from '../metamodel/online.js';
import { defineAlgorithm } from './algorithm.js';
import { parseKnobList } from './initial-design.js';

/** Settings shared by the searches that fine-tune a pre-trained network online (morphling, finetune). */
export const onlineSettings = z.strictObject({
  /** Path of the weights file (`morphling-metamodel/1` JSON); empty: the shipped default, else from scratch. */
  metamodel: z.string().default(''),
  /** Corners tried before the network takes over (the paper uses all 8; a meta-model needs few). */
  initialDesign: z.coerce.number().int().min(0).default(4),
  /** Comma-separated numeric knobs whose corners form the initial design; empty: the first three. */
  designKnobs: z.string().default('').transform(parseKnobList),
  /** δ, the exploration weight of f(x) + δ·|f(x) − f'(x)|. */
  delta: z.coerce.number().min(0).default(1),
  /** Fine-tuning steps per suggestion; default: the weights file's (the inner loop it was trained for). */
  fineTuneSteps: z.coerce.number().int().min(0).max(10_000).optional(),
  /** Fine-tuning step size; default: the weights file's. */
  learningRate: z.coerce.number().positive().optional(),
  /** Only without a meta-model: Adam steps and step size of the network trained from scratch. */
  scratchSteps: z.coerce.number().int().min(1).max(10_000).default(200),
  scratchLearningRate: z.coerce.number().positive().default(0.01),
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

export type OnlineAlgorithmSettings = z.infer<typeof onlineSettings>;

/**
 * Morphling's search (SoCC'21, section 4): a small corner design, then on every call the MAML
 * meta-model is fine-tuned on all succeeded trials and every unmeasured configuration is scored with
 * `f_θ(x) + δ·|f_θ(x) − f_θ'(x)|`; configurations near infeasible or failed trials are pulled down.
 * Without a meta-model it warns (code MORPHLING_METAMODEL_FALLBACK) and trains a network from scratch.
 */
export const morphling = defineAlgorithm({
  name: 'morphling',
  description:
    'meta-model (MAML) fine-tuned on the trials so far, f(x) + δ·|f(x) − f′(x)| over all configurations',
  settings: onlineSettings,
  create: (settings) => metamodelSearch('maml', 'morphling', settings),
});

export { FALLBACK_WARNING };
