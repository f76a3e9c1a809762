import type { GraphBuilder } from '../graph-builder.js';
import { add, convBnRelu, dense, type FeatureMap, globalPool, relu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { BATCH } from '../model-info.js';

const IMAGE_SIZE = 32;
const CLASSES = 10;
/** CIFAR-style ResNet: three stages, each halving the resolution and doubling the width after the first. */
const STAGE_CHANNELS = [32, 64, 128];
const BLOCKS_PER_STAGE = 2;

/**
 * Basic residual block: two 3x3 conv+BN, added to the input (through a 1x1 projection when the shape
 * changes), then Relu.
 */
function basicBlock(g: GraphBuilder, x: FeatureMap, outChannels: number, stride: number): FeatureMap {
  const first = convBnRelu(g, x, { outChannels, kernel: 3, stride });
  const branch = convBnRelu(g, first, { outChannels, kernel: 3 }, false);
  const shortcut =
    stride === 1 && x.channels === outChannels
      ? x
      : convBnRelu(g, x, { outChannels, kernel: 1, stride }, false);
  return relu(g, add(g, branch, shortcut));
}

export const resnetTiny: ModelDefinition = {
  name: 'resnet-tiny',
  family: 'resnet',
  input: { name: 'input', dtype: 'float32', shape: [BATCH, 3, IMAGE_SIZE, IMAGE_SIZE] },
  output: { name: 'logits', dtype: 'float32', shape: [BATCH, CLASSES] },
  build(g) {
    const [stemChannels = 32] = STAGE_CHANNELS;
    let x = convBnRelu(
      g,
      { name: 'input', channels: 3, size: IMAGE_SIZE },
      { outChannels: stemChannels, kernel: 3 },
    );
    STAGE_CHANNELS.forEach((channels, stage) => {
      for (let block = 0; block < BLOCKS_PER_STAGE; block++) {
        const stride = stage > 0 && block === 0 ? 2 : 1;
        x = basicBlock(g, x, channels, stride);
      }
    });
    dense(g, globalPool(g, x), x.channels, CLASSES, 'logits');
  },
};
