import type { GraphBuilder } from '../graph-builder.js';
import { batchNorm, convBnRelu, type FeatureMap, relu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { depthwiseConv, imageClassifier, poolAndClassify } from '../vision-layers.js';

/** MobileNet-v1's thirteen depthwise-separable blocks at width multiplier 1: [output channels, stride]. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];
const STEM_CHANNELS = 32;

/** Depthwise 3x3 filters each channel alone; the pointwise 1x1 then mixes channels. */
export function depthwiseSeparable(
  g: GraphBuilder,
  x: FeatureMap,
  outChannels: number,
  stride: number,
): FeatureMap {
  const depthwise = relu(g, batchNorm(g, depthwiseConv(g, x, 3, stride)));
  return convBnRelu(g, depthwise, { outChannels, kernel: 1 });
}

/**
 * The full MobileNet-v1 stack scaled by the paper's two knobs: `width` multiplies every layer's channels,
 * `imageSize` is the resolution multiplier. The stem keeps stride 1, as CIFAR-sized inputs have no
 * resolution to spare.
 */
function mobilenet(name: string, width: number, imageSize: number): ModelDefinition {
  return imageClassifier(name, 'mobilenet', imageSize, (g, image) => {
    let x = convBnRelu(g, image, { outChannels: STEM_CHANNELS * width, kernel: 3 });
    for (const [channels, stride] of BLOCKS) x = depthwiseSeparable(g, x, channels * width, stride);
    poolAndClassify(g, x);
  });
}

export const mobilenetSmall = mobilenet('mobilenet-small', 0.5, 48);
export const mobilenetMedium = mobilenet('mobilenet-medium', 1, 48);
