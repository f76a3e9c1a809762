import { floatAttr, type GraphBuilder, intAttr, intsAttr } from './graph-builder.js';

/** Sizes of a [N, seq, hidden] activation, which FLOP counting needs. */
export interface SequenceShape {
  seq: number;
  hidden: number;
}

/** A weight with std 1/sqrt(fanIn), which keeps activation variance roughly constant through a linear map. */
function scaledWeight(g: GraphBuilder, prefix: string, dims: readonly number[], fanIn: number): string {
  const std = 1 / Math.sqrt(fanIn);
  return g.weight(prefix, dims, (rng) => rng.normal() * std);
}

/** The initializers of one linear map, kept apart from its use so that a layer can be applied repeatedly. */
export interface LinearWeights {
  weight: string;
  bias: string;
  inFeatures: number;
  outFeatures: number;
}

export function linearWeights(g: GraphBuilder, inFeatures: number, outFeatures: number): LinearWeights {
  const weight = scaledWeight(g, 'linear.w', [inFeatures, outFeatures], inFeatures);
  const bias = g.constantWeight('linear.b', [outFeatures], 0);
  return { weight, bias, inFeatures, outFeatures };
}

/** x @ W + b on a [N, seq, inFeatures] tensor (Gemm only takes 2-D inputs, so MatMul and Add). */
export function applyLinear(g: GraphBuilder, x: string, seq: number, weights: LinearWeights): string {
  g.addFlops(2 * seq * weights.inFeatures * weights.outFeatures);
  return g.op('Add', [g.op('MatMul', [x, weights.weight]), weights.bias]);
}

export function linear(
  g: GraphBuilder,
  x: string,
  seq: number,
  inFeatures: number,
  outFeatures: number,
): string {
  return applyLinear(g, x, seq, linearWeights(g, inFeatures, outFeatures));
}

export interface LayerNormWeights {
  scale: string;
  bias: string;
}

export function layerNormWeights(g: GraphBuilder, hidden: number): LayerNormWeights {
  return { scale: g.constantWeight('ln.scale', [hidden], 1), bias: g.constantWeight('ln.bias', [hidden], 0) };
}

export function applyLayerNorm(g: GraphBuilder, x: string, weights: LayerNormWeights): string {
  return g.op(
    'LayerNormalization',
    [x, weights.scale, weights.bias],
    [intAttr('axis', -1), floatAttr('epsilon', 1e-5)],
  );
}

export function layerNorm(g: GraphBuilder, x: string, hidden: number): string {
  return applyLayerNorm(g, x, layerNormWeights(g, hidden));
}

/** Exact (erf) GELU written out, because the Gelu operator only exists from opset 20. */
export function gelu(g: GraphBuilder, x: string): string {
  const scaled = g.op('Div', [x, g.constant('sqrt2', 'float32', [], [Math.SQRT2])]);
  const onePlusErf = g.op('Add', [g.op('Erf', [scaled]), g.constant('one', 'float32', [], [1])]);
  return g.op('Mul', [g.op('Mul', [x, onePlusErf]), g.constant('half', 'float32', [], [0.5])]);
}

/** Which of self-attention's four projections a callback is asked for. */
export type AttentionProjection = 'query' | 'key' | 'value' | 'output';

/** Multi-head self-attention on [N, seq, hidden]; heads are split with Reshape + Transpose. */
export function selfAttention(g: GraphBuilder, x: string, shape: SequenceShape, heads: number): string {
  const { seq, hidden } = shape;
  return attentionWith(g, x, shape, heads, (t) => linear(g, t, seq, hidden, hidden));
}

/**
 * Self-attention whose four hidden x hidden projections come from `project`, called in the order query, key,
 * value, output, so that a caller may create fresh weights or hand out ones it already holds.
 */
export function attentionWith(
  g: GraphBuilder,
  x: string,
  shape: SequenceShape,
  heads: number,
  project: (t: string, projection: AttentionProjection) => string,
): string {
  const { seq, hidden } = shape;
  if (hidden % heads !== 0)
    throw new Error(`selfAttention: hidden ${hidden} not divisible by ${heads} heads`);
  const headSize = hidden / heads;
  // Reshape target 0 copies that dimension from the input, so the batch and sequence stay dynamic.
  const splitShape = g.constant('split_heads', 'int64', [4], [0, 0, heads, headSize]);
  const splitHeads = (t: string, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [t, splitShape])], [intsAttr('perm', perm)]);

  const query = splitHeads(project(x, 'query'), [0, 2, 1, 3]); // [N, h, seq, d]
  const keyT = splitHeads(project(x, 'key'), [0, 2, 3, 1]); // [N, h, d, seq]
  const value = splitHeads(project(x, 'value'), [0, 2, 1, 3]); // [N, h, seq, d]

  const scale = g.constant('attn_scale', 'float32', [], [1 / Math.sqrt(headSize)]);
  const scores = g.op('Mul', [g.op('MatMul', [query, keyT]), scale]);
  const weights = g.op('Softmax', [scores], [intAttr('axis', -1)]);
  const context = g.op('Transpose', [g.op('MatMul', [weights, value])], [intsAttr('perm', [0, 2, 1, 3])]);
  g.addFlops(2 * 2 * seq * seq * hidden); // scores and weighted sum, over all heads
  const merged = g.op('Reshape', [context, g.constant('merge_heads', 'int64', [3], [0, 0, hidden])]);
  return project(merged, 'output');
}

/** Post-LayerNorm encoder layer as in BERT: x = LN(x + attention(x)); x = LN(x + FFN(x)). */
export function encoderLayer(
  g: GraphBuilder,
  x: string,
  shape: SequenceShape,
  heads: number,
  ffn: number,
): string {
  const { seq, hidden } = shape;
  const attended = layerNorm(g, g.op('Add', [x, selfAttention(g, x, shape, heads)]), hidden);
  const expanded = gelu(g, linear(g, attended, seq, hidden, ffn));
  return layerNorm(g, g.op('Add', [attended, linear(g, expanded, seq, ffn, hidden)]), hidden);
}

/** Token embedding lookup plus learned position embeddings: int64 [N, seq] -> [N, seq, hidden]. */
export function embeddings(g: GraphBuilder, ids: string, vocab: number, shape: SequenceShape): string {
  const tokens = g.weight('word_embeddings', [vocab, shape.hidden], (rng) => rng.normal() * 0.02);
  const positions = g.weight('position_embeddings', [shape.seq, shape.hidden], (rng) => rng.normal() * 0.02);
  const embedded = g.op('Add', [g.op('Gather', [tokens, ids], [intAttr('axis', 0)]), positions]);
  return layerNorm(g, embedded, shape.hidden);
}

/** All weights of one post-LayerNorm encoder layer; ALBERT creates them once and applies them at every depth. */
export interface EncoderLayerWeights {
  attention: Record<AttentionProjection, LinearWeights>;
  attentionNorm: LayerNormWeights;
  intermediate: LinearWeights;
  output: LinearWeights;
  outputNorm: LayerNormWeights;
}

export function encoderLayerWeights(g: GraphBuilder, hidden: number, ffn: number): EncoderLayerWeights {
  return {
    attention: {
      query: linearWeights(g, hidden, hidden),
      key: linearWeights(g, hidden, hidden),
      value: linearWeights(g, hidden, hidden),
      output: linearWeights(g, hidden, hidden),
    },
    attentionNorm: layerNormWeights(g, hidden),
    intermediate: linearWeights(g, hidden, ffn),
    output: linearWeights(g, ffn, hidden),
    outputNorm: layerNormWeights(g, hidden),
  };
}

/** The same computation as `encoderLayer`, on weights the caller holds (FLOPs count at every application). */
export function applyEncoderLayer(
  g: GraphBuilder,
  x: string,
  shape: SequenceShape,
  heads: number,
  weights: EncoderLayerWeights,
): string {
  const { seq } = shape;
  const attention = attentionWith(g, x, shape, heads, (t, projection) =>
    applyLinear(g, t, seq, weights.attention[projection]),
  );
  const attended = applyLayerNorm(g, g.op('Add', [x, attention]), weights.attentionNorm);
  const expanded = gelu(g, applyLinear(g, attended, seq, weights.intermediate));
  const output = applyLinear(g, expanded, seq, weights.output);
  return applyLayerNorm(g, g.op('Add', [attended, output]), weights.outputNorm);
}

/**
 * ALBERT's and ELECTRA's factorized embeddings: token and position vectors of a small size `embedding`,
 * normalized, then projected up to the encoder's hidden size, so the vocabulary table stays narrow.
 */
export function factorizedEmbeddings(
  g: GraphBuilder,
  ids: string,
  vocab: number,
  embedding: number,
  shape: SequenceShape,
): string {
  const narrow = embeddings(g, ids, vocab, { seq: shape.seq, hidden: embedding });
  return linear(g, narrow, shape.seq, embedding, shape.hidden);
}
