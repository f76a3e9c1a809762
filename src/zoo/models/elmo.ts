import { intsAttr } from '../graph-builder.js';
import { dense } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { bidirectionalLstm, combine, embeddingTable, lookup } from '../sequence-layers.js';
import { type TextShape, textModel } from '../text-model.js';

export interface ElmoSizes extends TextShape {
  /** LSTM state size per direction; tokens are embedded at 2 x hidden so every layer has one width. */
  hidden: number;
  layers: number;
}

/**
 * ELMo: token vectors through stacked bidirectional LSTMs (residual from the second layer on), the
 * token layer and every LSTM layer blended by learned scalar weights, then averaged over time and
 * classified. Token ids stand in for ELMo's character CNN, whose output is likewise one vector per token.
 */
export function elmoClassifier(name: string, sizes: ElmoSizes): ModelDefinition {
  const { vocab, seq, hidden, layers, classes } = sizes;
  const width = 2 * hidden;
  return textModel(name, 'elmo', { vocab, seq, classes }, (g) => {
    // Transposing the ids rather than the vectors makes the lookup time-major, as the LSTM op wants.
    const timeMajorIds = g.op('Transpose', ['input_ids'], [intsAttr('perm', [1, 0])]);
    let x = lookup(g, embeddingTable(g, 'token_embeddings', vocab, width), timeMajorIds);
    const mixWeight = () => g.constantWeight('scalar_mix', [1], 1 / (layers + 1));
    let mix = g.op('Mul', [x, mixWeight()]);
    for (let layer = 0; layer < layers; layer++) {
      const states = bidirectionalLstm(g, x, { seq, input: width, hidden });
      x = layer === 0 ? states : g.op('Add', [x, states]);
      mix = g.op('Add', [mix, g.op('Mul', [x, mixWeight()])]);
    }
    dense(g, combine(g, mix, 0, seq, 'mean'), width, classes, 'logits');
  });
}

export const ELMO_TINY: ElmoSizes = {
  vocab: 2048,
  seq: 32,
  hidden: 64,
  layers: 2,
  classes: 2,
};

export const elmoTiny = elmoClassifier('elmo-tiny', ELMO_TINY);

export const elmoSmall = elmoClassifier('elmo-small', {
  vocab: 4096,
  seq: 32,
  hidden: 128,
  layers: 2,
  classes: 2,
});
