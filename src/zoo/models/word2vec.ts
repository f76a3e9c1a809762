import { reluClassifier } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { combine, embeddingTable, lookup } from '../sequence-layers.js';
import { type TextShape, textModel } from '../text-model.js';

export interface Word2vecSizes extends TextShape {
  /** Vector width: word2vec is usually trained at 100 to 300. */
  dim: number;
  hidden: number;
}

/**
 * Averaged word2vec vectors (an embedding bag) under a one-hidden-layer classifier, the classic
 * bag-of-embeddings baseline. Lookups cost nothing, so the hidden layer, wider than the vocabulary, is
 * where the serving work is; narrower, the model would be a table with almost no compute.
 */
export function word2vecClassifier(name: string, sizes: Word2vecSizes): ModelDefinition {
  const { vocab, seq, dim, hidden, classes } = sizes;
  return textModel(name, 'word2vec', { vocab, seq, classes }, (g) => {
    const vectors = lookup(g, embeddingTable(g, 'word_vectors', vocab, dim), 'input_ids');
    const bag = combine(g, vectors, 1, seq, 'mean');
    reluClassifier(g, bag, dim, [hidden], classes);
  });
}

export const word2vecTiny = word2vecClassifier('word2vec-tiny', {
  vocab: 2048,
  seq: 32,
  dim: 256,
  hidden: 4096,
  classes: 2,
});

export const word2vecSmall = word2vecClassifier('word2vec-small', {
  vocab: 4096,
  seq: 32,
  dim: 300,
  hidden: 8192,
  classes: 2,
});
