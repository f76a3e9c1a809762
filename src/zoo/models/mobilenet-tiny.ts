import type { GraphBuilder } from '../graph-builder.js';
import { convBnRelu, dense, type FeatureMap, globalPool } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { BATCH } from '../model-info.js';

const IMAGE_SIZE = 32;
const CLASSES = 10;
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

/** Depthwise 3x3 (one filter per channel: group = channels) then pointwise 1x1 to mix channels. */
function depthwiseSeparable(g: GraphBuilder, x: FeatureMap, outChannels: number, stride: number): FeatureMap {
  const depthwise = convBnRelu(g, x, { outChannels: x.channels, kernel: 3, stride, group: x.channels });
  return convBnRelu(g, depthwise, { outChannels, kernel: 1 });
}

export const mobilenetTiny: ModelDefinition = {
  name: 'mobilenet-tiny',
  family: 'mobilenet',
  input: { name: 'input', dtype: 'float32', shape: [BATCH, 3, IMAGE_SIZE, IMAGE_SIZE] },
  output: { name: 'logits', dtype: 'float32', shape: [BATCH, CLASSES] },
  build(g) {
    let x = convBnRelu(
      g,
      { name: 'input', channels: 3, size: IMAGE_SIZE },
      { outChannels: STEM_CHANNELS, kernel: 3 },
    );
    for (const [channels, stride] of BLOCKS) x = depthwiseSeparable(g, x, channels, stride);
    dense(g, globalPool(g, x), x.channels, CLASSES, 'logits');
  },
};
