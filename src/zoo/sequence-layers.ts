import onnxProto from 'onnx-proto';
import { type Attribute, type GraphBuilder, intAttr, intsAttr } from './graph-builder.js';

// onnx-proto is CommonJS with a single `module.exports = { onnx }`, so Node's ESM loader only offers a default.
const { onnx } = onnxProto;

function stringAttr(name: string, value: string): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

/** A [vocab, dim] lookup table; std 1/sqrt(dim) gives vectors of norm about 1, like trained word vectors. */
export function embeddingTable(g: GraphBuilder, prefix: string, vocab: number, dim: number): string {
  const std = 1 / Math.sqrt(dim);
  return g.weight(prefix, [vocab, dim], (rng) => rng.normal() * std);
}

/** Gathers rows of `table` for int64 ids of any shape: the result has the ids' shape plus [dim]. */
export function lookup(g: GraphBuilder, table: string, ids: string): string {
  return g.op('Gather', [table, ids], [intAttr('axis', 0)]);
}

/**
 * How a bag of vectors becomes one: `sqrtn` divides the sum by sqrt(count), TF-Hub's text-embedding
 * combiner, which keeps long and short inputs at comparable norms without fully averaging.
 */
export type Combiner = 'mean' | 'sum' | 'sqrtn';

/** Folds axis `axis` (of length `count`) away with `combiner`. */
export function combine(g: GraphBuilder, x: string, axis: number, count: number, combiner: Combiner): string {
  if (combiner === 'mean') {
    return g.op('ReduceMean', [x], [intsAttr('axes', [axis]), intAttr('keepdims', 0)]);
  }
  // From opset 13 ReduceSum takes its axes as an input, whereas ReduceMean keeps the attribute until 18.
  const axes = g.constant('reduce_axes', 'int64', [1], [axis]);
  const sum = g.op('ReduceSum', [x, axes], [intAttr('keepdims', 0)]);
  if (combiner === 'sum') return sum;
  return g.op('Mul', [sum, g.constant('inv_sqrt_count', 'float32', [], [1 / Math.sqrt(count)])]);
}

/** Sizes of one LSTM layer over a fixed-length sequence. */
export interface LstmShape {
  seq: number;
  input: number;
  hidden: number;
}

/** 2 x multiply-accumulates of the four gates' input and recurrent matmuls, over both directions. */
export function bidirectionalLstmFlops({ seq, input, hidden }: LstmShape): number {
  return 2 * seq * 2 * 4 * (input + hidden) * hidden;
}

/**
 * One bidirectional ONNX LSTM on a time-major [seq, N, input] tensor, returning [seq, N, 2 * hidden] with the
 * forward and backward states of each step side by side. Time-major because onnxruntime's CPU LSTM does
 * not implement `layout = 1`.
 */
export function bidirectionalLstm(g: GraphBuilder, x: string, shape: LstmShape): string {
  const { input, hidden } = shape;
  const inputWeights = g.weight('lstm.w', [2, 4 * hidden, input], (rng) => rng.normal() / Math.sqrt(input));
  const recurrentWeights = g.weight(
    'lstm.r',
    [2, 4 * hidden, hidden],
    (rng) => rng.normal() / Math.sqrt(hidden),
  );
  const bias = g.constantWeight('lstm.b', [2, 8 * hidden], 0);
  g.addFlops(bidirectionalLstmFlops(shape));
  // Y is [seq, directions, N, hidden]; the optional final-state outputs are left out.
  const states = g.op(
    'LSTM',
    [x, inputWeights, recurrentWeights, bias],
    [intAttr('hidden_size', hidden), stringAttr('direction', 'bidirectional')],
  );
  const stepMajor = g.op('Transpose', [states], [intsAttr('perm', [0, 2, 1, 3])]);
  return g.op('Reshape', [stepMajor, g.constant('concat_directions', 'int64', [3], [0, 0, 2 * hidden])]);
}

/**
 * Ids of adjacent-token pairs hashed into `buckets` rows ([N, seq] -> [N, seq - 1]), for models that embed
 * bigrams without a vocabulary of them. The odd multiplier keeps (a, b) and (b, a) apart.
 */
export function hashedBigramIds(g: GraphBuilder, ids: string, seq: number, buckets: number): string {
  const slice = (start: number, end: number) =>
    g.op('Slice', [
      ids,
      g.constant('slice_start', 'int64', [1], [start]),
      g.constant('slice_end', 'int64', [1], [end]),
      g.constant('slice_axis', 'int64', [1], [1]),
    ]);
  const first = g.op('Mul', [slice(0, seq - 1), g.constant('bigram_multiplier', 'int64', [], [1_000_003])]);
  const pair = g.op('Add', [first, slice(1, seq)]);
  return g.op('Mod', [pair, g.constant('bigram_buckets', 'int64', [], [buckets])]);
}
