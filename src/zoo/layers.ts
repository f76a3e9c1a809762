import { type GraphBuilder, intAttr, intsAttr } from './graph-builder.js';

/** A square NCHW feature map flowing through a CNN: its tensor name plus the sizes FLOP counting needs. */
export interface FeatureMap {
  name: string;
  channels: number;
  /** Height and width (the zoo's CNNs keep spatial dimensions square). */
  size: number;
}

export interface ConvOptions {
  outChannels: number;
  kernel: number;
  stride?: number;
  /** `group = inChannels = outChannels` makes a depthwise convolution. */
  group?: number;
  /** Add a bias input; off when a BatchNormalization follows, which has its own shift. */
  bias?: boolean;
}

/** Conv with "same" padding (odd kernels), He-initialized. */
export function conv2d(g: GraphBuilder, x: FeatureMap, options: ConvOptions): FeatureMap {
  const { outChannels, kernel, stride = 1, group = 1, bias = false } = options;
  if (x.channels % group !== 0 || outChannels % group !== 0) {
    throw new Error(`conv2d: channels ${x.channels}->${outChannels} not divisible by group ${group}`);
  }
  const inPerGroup = x.channels / group;
  const fanIn = inPerGroup * kernel * kernel;
  const inputs = [x.name, g.heWeight('conv.w', [outChannels, inPerGroup, kernel, kernel], fanIn)];
  if (bias) inputs.push(g.constantWeight('conv.b', [outChannels], 0));
  const pad = (kernel - 1) / 2;
  const name = g.op('Conv', inputs, [
    intsAttr('kernel_shape', [kernel, kernel]),
    intsAttr('strides', [stride, stride]),
    intsAttr('pads', [pad, pad, pad, pad]),
    intAttr('group', group),
  ]);
  const size = Math.floor((x.size + 2 * pad - kernel) / stride) + 1;
  g.addFlops(2 * outChannels * size * size * fanIn);
  return { name, channels: outChannels, size };
}

/**
 * Inference-mode BatchNormalization. Scale is drawn near 1 and the running variance near 1, so the layer
 * neither blows up nor zeroes activations.
 */
export function batchNorm(g: GraphBuilder, x: FeatureMap): FeatureMap {
  const c = [x.channels];
  const scale = g.weight('bn.scale', c, (rng) => 1 + 0.1 * rng.normal());
  const shift = g.weight('bn.bias', c, (rng) => 0.1 * rng.normal());
  const mean = g.weight('bn.mean', c, (rng) => 0.1 * rng.normal());
  const variance = g.weight('bn.var', c, (rng) => 1 + 0.5 * rng.next());
  return { ...x, name: g.op('BatchNormalization', [x.name, scale, shift, mean, variance]) };
}

export function relu(g: GraphBuilder, x: FeatureMap): FeatureMap {
  return { ...x, name: g.op('Relu', [x.name]) };
}

export function add(g: GraphBuilder, a: FeatureMap, b: FeatureMap): FeatureMap {
  return { ...a, name: g.op('Add', [a.name, b.name]) };
}

/** Conv, BatchNormalization, then Relu unless `activate` is false. */
export function convBnRelu(
  g: GraphBuilder,
  x: FeatureMap,
  options: ConvOptions,
  activate = true,
): FeatureMap {
  const normalized = batchNorm(g, conv2d(g, x, options));
  return activate ? relu(g, normalized) : normalized;
}

/** GlobalAveragePool then Flatten: [N, C, H, W] -> [N, C]. */
export function globalPool(g: GraphBuilder, x: FeatureMap): string {
  return g.op('Flatten', [g.op('GlobalAveragePool', [x.name])], [intAttr('axis', 1)]);
}

/** Fully connected layer on [N, inFeatures] with Gemm. */
export function dense(
  g: GraphBuilder,
  x: string,
  inFeatures: number,
  outFeatures: number,
  prefix = 'Gemm',
): string {
  const weight = g.heWeight('fc.w', [inFeatures, outFeatures], inFeatures);
  const bias = g.constantWeight('fc.b', [outFeatures], 0);
  g.addFlops(2 * inFeatures * outFeatures);
  return g.op('Gemm', [x, weight, bias], [], prefix);
}

/** Relu'd Gemm layers of the given widths on [N, inFeatures], then the Gemm to `classes` named `logits`. */
export function reluClassifier(
  g: GraphBuilder,
  x: string,
  inFeatures: number,
  hidden: readonly number[],
  classes: number,
): string {
  let width = inFeatures;
  for (const units of hidden) {
    x = g.op('Relu', [dense(g, x, width, units)]);
    width = units;
  }
  return dense(g, x, width, classes, 'logits');
}
