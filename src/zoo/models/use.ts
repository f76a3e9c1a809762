import { intAttr } from '../graph-builder.js';
import { dense, reluClassifier } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { combine, embeddingTable, hashedBigramIds, lookup } from '../sequence-layers.js';
import { textModel } from '../text-model.js';
import { embeddings, encoderLayer } from '../transformer-layers.js';
import type { BertSizes } from './bert.js';
import type { NnlmSizes } from './nnlm.js';

/** Width of the Universal Sentence Encoder's output embedding, which the classifier reads. */
const SENTENCE_DIM = 512;

export interface UseDanSizes extends NnlmSizes {
  bigramBuckets: number;
}

/**
 * The Universal Sentence Encoder's deep averaging network: word and hashed-bigram vectors averaged
 * together, then a deep Relu feed-forward stack up to the 512-wide sentence embedding, then a classifier.
 */
export function useDanClassifier(name: string, sizes: UseDanSizes): ModelDefinition {
  const { vocab, seq, bigramBuckets, dim, hidden, classes } = sizes;
  return textModel(name, 'use', { vocab, seq, classes }, (g) => {
    const words = lookup(g, embeddingTable(g, 'word_embeddings', vocab, dim), 'input_ids');
    const bigramIds = hashedBigramIds(g, 'input_ids', seq, bigramBuckets);
    const bigrams = lookup(g, embeddingTable(g, 'bigram_embeddings', bigramBuckets, dim), bigramIds);
    const grams = g.op('Concat', [words, bigrams], [intAttr('axis', 1)]);
    reluClassifier(g, combine(g, grams, 1, 2 * seq - 1, 'mean'), dim, [...hidden, SENTENCE_DIM], classes);
  });
}

/**
 * The Universal Sentence Encoder's transformer variant: an encoder whose outputs are summed over positions
 * and divided by sqrt(length), projected to the 512-wide sentence embedding, then a classifier.
 */
export function useTransformerClassifier(name: string, sizes: BertSizes): ModelDefinition {
  const { vocab, seq, hidden, layers, heads, ffn, classes } = sizes;
  const shape = { seq, hidden };
  return textModel(name, 'use', { vocab, seq, classes }, (g) => {
    let x = embeddings(g, 'input_ids', vocab, shape);
    for (let layer = 0; layer < layers; layer++) x = encoderLayer(g, x, shape, heads, ffn);
    const sentence = g.op('Tanh', [dense(g, combine(g, x, 1, seq, 'sqrtn'), hidden, SENTENCE_DIM)]);
    dense(g, sentence, SENTENCE_DIM, classes, 'logits');
  });
}

export const useTiny = useDanClassifier('use-tiny', {
  vocab: 2048,
  seq: 32,
  bigramBuckets: 2048,
  dim: 128,
  hidden: [1024, 1024, 1024],
  classes: 2,
});

export const useSmall = useTransformerClassifier('use-small', {
  vocab: 2048,
  seq: 32,
  hidden: 128,
  layers: 2,
  heads: 4,
  ffn: 512,
  classes: 2,
});
