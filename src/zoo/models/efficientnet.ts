import type { GraphBuilder } from '../graph-builder.js';
import { add, batchNorm, conv2d, type FeatureMap } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import {
  depthwiseConv,
  globalAveragePool,
  imageClassifier,
  mul,
  poolAndClassify,
  sigmoid,
  swish,
} from '../vision-layers.js';

/** One stage of EfficientNet-B0: expansion ratio, output channels, blocks, first block's stride, kernel. */
interface Stage {
  expand: number;
  channels: number;
  repeats: number;
  stride: number;
  kernel: number;
}

const stage = (expand: number, channels: number, repeats: number, stride: number, kernel: number): Stage => ({
  expand,
  channels,
  repeats,
  stride,
  kernel,
});

/**
 * EfficientNet-B0's seven MBConv stages. The stem keeps stride 1 on CIFAR-sized images, so the four
 * stride-2 stages take 32x32 down to 2x2.
 */
const B0_STAGES: readonly Stage[] = [
  stage(1, 16, 1, 1, 3),
  stage(6, 24, 2, 2, 3),
  stage(6, 40, 2, 2, 5),
  stage(6, 80, 3, 2, 3),
  stage(6, 112, 3, 1, 5),
  stage(6, 192, 4, 2, 5),
  stage(6, 320, 1, 1, 3),
];
const B0_STEM = 32;
const B0_HEAD = 1280;
const B0_RESOLUTION = 32;
/** Squeeze-excite bottleneck width, as a fraction of the block's input channels. */
const SE_RATIO = 0.25;

/**
 * Compound scaling: one coefficient phi scales depth by ALPHA^phi, width by BETA^phi and resolution by
 * GAMMA^phi; the paper's grid search fixed these so that each unit of phi about doubles the FLOPs.
 */
const ALPHA = 1.2;
const BETA = 1.1;
const GAMMA = 1.15;
/** The zoo's base network (phi = 0) is B0 at half width and half depth, to fit CPU-friendly latencies. */
const BASE_WIDTH = 0.5;
const BASE_DEPTH = 0.5;
const CHANNEL_DIVISOR = 8;

/** The reference implementation's rounding: a multiple of 8, never more than 10% below the exact width. */
function roundChannels(channels: number, width: number): number {
  const exact = channels * width;
  const rounded = Math.max(
    CHANNEL_DIVISOR,
    Math.floor((exact + CHANNEL_DIVISOR / 2) / CHANNEL_DIVISOR) * CHANNEL_DIVISOR,
  );
  return rounded < 0.9 * exact ? rounded + CHANNEL_DIVISOR : rounded;
}

function convBnSwish(g: GraphBuilder, x: FeatureMap, outChannels: number): FeatureMap {
  return swish(g, batchNorm(g, conv2d(g, x, { outChannels, kernel: 1 })));
}

/** Rescales each channel by a gate computed from the whole map's channel means. */
function squeezeExcite(g: GraphBuilder, x: FeatureMap, squeezed: number): FeatureMap {
  const summary = globalAveragePool(g, x);
  const reduced = swish(g, conv2d(g, summary, { outChannels: squeezed, kernel: 1, bias: true }));
  return mul(g, x, sigmoid(g, conv2d(g, reduced, { outChannels: x.channels, kernel: 1, bias: true })));
}

/**
 * Inverted residual: a 1x1 expansion, a depthwise conv, squeeze-excite, then a linear 1x1 projection,
 * added to the input when the shape allows (drop-connect only acts in training).
 */
function mbConv(
  g: GraphBuilder,
  x: FeatureMap,
  spec: Stage,
  outChannels: number,
  stride: number,
): FeatureMap {
  const expanded = spec.expand === 1 ? x : convBnSwish(g, x, x.channels * spec.expand);
  const filtered = swish(g, batchNorm(g, depthwiseConv(g, expanded, spec.kernel, stride)));
  const excited = squeezeExcite(g, filtered, Math.max(1, Math.floor(x.channels * SE_RATIO)));
  const projected = batchNorm(g, conv2d(g, excited, { outChannels, kernel: 1 }));
  return stride === 1 && x.channels === outChannels ? add(g, projected, x) : projected;
}

/** EfficientNet at compound coefficient `phi`, resolution rounded to a multiple of 8. */
function efficientnet(name: string, phi: number): ModelDefinition {
  const width = BASE_WIDTH * BETA ** phi;
  const depth = BASE_DEPTH * ALPHA ** phi;
  const imageSize = Math.round((B0_RESOLUTION * GAMMA ** phi) / 8) * 8;
  return imageClassifier(name, 'efficientnet', imageSize, (g, image) => {
    let x = swish(
      g,
      batchNorm(g, conv2d(g, image, { outChannels: roundChannels(B0_STEM, width), kernel: 3 })),
    );
    for (const spec of B0_STAGES) {
      const outChannels = roundChannels(spec.channels, width);
      const repeats = Math.ceil(spec.repeats * depth);
      for (let block = 0; block < repeats; block++) {
        x = mbConv(g, x, spec, outChannels, block === 0 ? spec.stride : 1);
      }
    }
    poolAndClassify(g, convBnSwish(g, x, roundChannels(B0_HEAD, width)));
  });
}

export const efficientnetTiny = efficientnet('efficientnet-tiny', 0);
export const efficientnetSmall = efficientnet('efficientnet-small', 2);
export const efficientnetMedium = efficientnet('efficientnet-medium', 4);
