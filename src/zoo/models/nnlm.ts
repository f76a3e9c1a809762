import { reluClassifier } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { combine, embeddingTable, lookup } from '../sequence-layers.js';
import { type TextShape, textModel } from '../text-model.js';

export interface NnlmSizes extends TextShape {
  /** Embedding width: TF-Hub publishes NNLM at 50 and 128. */
  dim: number;
  /** Widths of the Relu layers between the embedding and the classifier. */
  hidden: readonly number[];
}

/**
 * A TF-Hub NNLM sentence embedding (token vectors folded with its `sqrtn` combiner) under a Relu
 * classifier, the way the Hub module is used for text classification.
 */
export function nnlmClassifier(name: string, sizes: NnlmSizes): ModelDefinition {
  const { vocab, seq, dim, hidden, classes } = sizes;
  return textModel(name, 'nnlm', { vocab, seq, classes }, (g) => {
    const tokens = lookup(g, embeddingTable(g, 'nnlm_embeddings', vocab, dim), 'input_ids');
    reluClassifier(g, combine(g, tokens, 1, seq, 'sqrtn'), dim, hidden, classes);
  });
}

export const nnlmTiny = nnlmClassifier('nnlm-tiny', {
  vocab: 2048,
  seq: 32,
  dim: 50,
  hidden: [1280, 1280],
  classes: 2,
});

export const nnlmSmall = nnlmClassifier('nnlm-small', {
  vocab: 4096,
  seq: 32,
  dim: 128,
  hidden: [2048, 2048],
  classes: 2,
});
