import { bertClassifier } from './bert.js';

/**
 * Two points of Google's "Small BERT" grid (L in 2..12, H in 128..768, A = H / 64) off the named
 * Tiny/Mini/Small/Medium diagonal: one deep and narrow, one shallow and wide, for a tuner to tell apart.
 */
export const smallBertL4H128 = bertClassifier('small-bert-l4-h128', 'small-bert', {
  vocab: 2048,
  seq: 32,
  hidden: 128,
  layers: 4,
  heads: 2,
  ffn: 512,
  classes: 2,
});

export const smallBertL2H256 = bertClassifier('small-bert-l2-h256', 'small-bert', {
  vocab: 2048,
  seq: 32,
  hidden: 256,
  layers: 2,
  heads: 4,
  ffn: 1024,
  classes: 2,
});
