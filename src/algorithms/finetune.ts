import { metamodelSearch } from '../metamodel/online.js';
import { defineAlgorithm } from './algorithm.js';
import { onlineSettings } from './morphling.js';

/**
 * The paper's Fine-Tuning baseline: a network regressed offline on all training models pooled (for
 * average accuracy, not for fast adaptation; a `pooled` weights file), then searched with exactly
 * Morphling's online loop — fine-tuned on the trials so far, scored by f(x) + δ·|f(x) − f′(x)|.
 */
export const finetune = defineAlgorithm({
  name: 'finetune',
  description: 'network pre-trained on pooled profiles, fine-tuned online like morphling (paper baseline)',
  settings: onlineSettings,
  create: (settings) => metamodelSearch('pooled', 'finetune', settings),
});
