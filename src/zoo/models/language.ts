import type { ModelDefinition } from '../model-definition.js';
import { albertSmall, albertTiny } from './albert.js';
import { bertMedium, bertSmall, bertTiny } from './bert.js';
import { electraSmall, electraTiny } from './electra.js';
import { elmoSmall, elmoTiny } from './elmo.js';
import { nnlmSmall, nnlmTiny } from './nnlm.js';
import { smallBertL2H256, smallBertL4H128 } from './small-bert.js';
import { useSmall, useTiny } from './use.js';
import { word2vecSmall, word2vecTiny } from './word2vec.js';

/**
 * The text models (transformer, recurrent and embedding families), several sizes per family, each
 * family listed from its cheapest to its most expensive size.
 */
export const languageModels: readonly ModelDefinition[] = [
  bertTiny,
  bertSmall,
  bertMedium,
  smallBertL4H128,
  smallBertL2H256,
  albertTiny,
  albertSmall,
  electraTiny,
  electraSmall,
  elmoTiny,
  elmoSmall,
  nnlmTiny,
  nnlmSmall,
  word2vecTiny,
  word2vecSmall,
  useTiny,
  useSmall,
];
