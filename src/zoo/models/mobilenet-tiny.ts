import { convBnRelu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { imageClassifier, poolAndClassify } from '../vision-layers.js';
import { depthwiseSeparable } from './mobilenet.js';

const IMAGE_SIZE = 32;
const STEM_CHANNELS = 16;
/** MobileNet-v1-style stack of depthwise-separable blocks: [output channels, stride]. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [32, 1],
  [64, 2],
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
];

export const mobilenetTiny: ModelDefinition = imageClassifier(
  'mobilenet-tiny',
  'mobilenet',
  IMAGE_SIZE,
  (g, image) => {
    let x = convBnRelu(g, image, { outChannels: STEM_CHANNELS, kernel: 3 });
    for (const [channels, stride] of BLOCKS) x = depthwiseSeparable(g, x, channels, stride);
    poolAndClassify(g, x);
  },
);
