import { type GraphBuilder, intAttr, intsAttr } from './graph-builder.js';
import { conv2d, dense, type FeatureMap, globalPool } from './layers.js';
import type { ModelDefinition } from './model-definition.js';
import { BATCH } from './model-info.js';

/** CIFAR-sized label set: the classifier head is a negligible share of every CNN's cost. */
export const IMAGE_CLASSES = 10;

/**
 * A CNN that reads a float32 [N, 3, imageSize, imageSize] `input` and must end with a node named `logits`
 * giving [N, IMAGE_CLASSES].
 */
export function imageClassifier(
  name: string,
  family: string,
  imageSize: number,
  build: (g: GraphBuilder, image: FeatureMap) => void,
): ModelDefinition {
  return {
    name,
    family,
    input: { name: 'input', dtype: 'float32', shape: [BATCH, 3, imageSize, imageSize] },
    output: { name: 'logits', dtype: 'float32', shape: [BATCH, IMAGE_CLASSES] },
    build(g) {
      build(g, { name: 'input', channels: 3, size: imageSize });
    },
  };
}

/** The usual head: global average pooling, then one Gemm to the class scores. */
export function poolAndClassify(g: GraphBuilder, x: FeatureMap): void {
  dense(g, globalPool(g, x), x.channels, IMAGE_CLASSES, 'logits');
}

/**
 * MaxPool or AveragePool. Odd kernels pad by (kernel - 1) / 2, so stride 1 keeps the size and stride 2
 * halves an even one; even kernels pad nothing and tile the map when stride equals kernel. AveragePool
 * keeps ONNX's default count_include_pad = 0, so border windows average only real pixels.
 */
export function pool(
  g: GraphBuilder,
  x: FeatureMap,
  op: 'MaxPool' | 'AveragePool',
  kernel: number,
  stride = kernel,
): FeatureMap {
  const pad = Math.floor((kernel - 1) / 2);
  const name = g.op(
    op,
    [x.name],
    [
      intsAttr('kernel_shape', [kernel, kernel]),
      intsAttr('strides', [stride, stride]),
      intsAttr('pads', [pad, pad, pad, pad]),
    ],
  );
  return { name, channels: x.channels, size: Math.floor((x.size + 2 * pad - kernel) / stride) + 1 };
}

/** Joins feature maps of the same size along the channel axis. */
export function concat(g: GraphBuilder, maps: readonly FeatureMap[]): FeatureMap {
  const [first] = maps;
  if (!first) throw new Error('concat: no feature maps');
  const mismatched = maps.find((map) => map.size !== first.size);
  if (mismatched) throw new Error(`concat: sizes ${first.size} and ${mismatched.size} differ`);
  const name = g.op(
    'Concat',
    maps.map((map) => map.name),
    [intAttr('axis', 1)],
  );
  return { name, channels: maps.reduce((sum, map) => sum + map.channels, 0), size: first.size };
}

/** Depthwise convolution: one kernel x kernel filter per channel. */
export function depthwiseConv(g: GraphBuilder, x: FeatureMap, kernel: number, stride = 1): FeatureMap {
  return conv2d(g, x, { outChannels: x.channels, kernel, stride, group: x.channels });
}

/**
 * Depthwise then pointwise conv with nothing between (Keras' SeparableConv2D). The depthwise weights are
 * He-scaled for a Relu'd input; the pointwise ones have variance 1/fan-in instead, because the depthwise
 * output is not rectified and He scaling would double the activations' power at every such conv.
 */
export function separableConv(
  g: GraphBuilder,
  x: FeatureMap,
  outChannels: number,
  kernel: number,
  stride = 1,
): FeatureMap {
  const depthwise = depthwiseConv(g, x, kernel, stride);
  const std = 1 / Math.sqrt(depthwise.channels);
  const weight = g.weight('conv.w', [outChannels, depthwise.channels, 1, 1], (rng) => rng.normal() * std);
  g.addFlops(2 * outChannels * depthwise.size * depthwise.size * depthwise.channels);
  return { name: g.op('Conv', [depthwise.name, weight]), channels: outChannels, size: depthwise.size };
}

export function sigmoid(g: GraphBuilder, x: FeatureMap): FeatureMap {
  return { ...x, name: g.op('Sigmoid', [x.name]) };
}

/** Swish / SiLU, x * sigmoid(x): opset 17 has no single operator for it. */
export function swish(g: GraphBuilder, x: FeatureMap): FeatureMap {
  return { ...x, name: g.op('Mul', [x.name, g.op('Sigmoid', [x.name])]) };
}

/** Multiplies `x` by `gate`, which may be [N, C, 1, 1] to scale whole channels (broadcast). */
export function mul(g: GraphBuilder, x: FeatureMap, gate: FeatureMap): FeatureMap {
  return { ...x, name: g.op('Mul', [x.name, gate.name]) };
}

/** GlobalAveragePool kept 4-D, [N, C, 1, 1], so 1x1 convs can run on the channel summary. */
export function globalAveragePool(g: GraphBuilder, x: FeatureMap): FeatureMap {
  return { name: g.op('GlobalAveragePool', [x.name]), channels: x.channels, size: 1 };
}
