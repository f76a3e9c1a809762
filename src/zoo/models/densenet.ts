import type { GraphBuilder } from '../graph-builder.js';
import { batchNorm, conv2d, type FeatureMap, relu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { concat, imageClassifier, pool, poolAndClassify } from '../vision-layers.js';

/** DenseNet-BC's constants: the 1x1 bottleneck is 4k wide, and transitions halve the channel count. */
const BOTTLENECK_FACTOR = 4;
const COMPRESSION = 0.5;

interface DensenetSize {
  imageSize: number;
  /** Growth rate k: the channels each layer adds to its block's running concatenation. */
  growth: number;
  layersPerBlock: readonly number[];
}

/** DenseNet orders each unit pre-activation: BN, Relu, then the conv. */
function bnReluConv(g: GraphBuilder, x: FeatureMap, outChannels: number, kernel: number): FeatureMap {
  return conv2d(g, relu(g, batchNorm(g, x)), { outChannels, kernel });
}

/** Every layer sees all earlier layers' outputs: its k new channels are concatenated onto its input. */
function denseBlock(g: GraphBuilder, x: FeatureMap, layers: number, growth: number): FeatureMap {
  let features = x;
  for (let layer = 0; layer < layers; layer++) {
    const bottleneck = bnReluConv(g, features, BOTTLENECK_FACTOR * growth, 1);
    features = concat(g, [features, bnReluConv(g, bottleneck, growth, 3)]);
  }
  return features;
}

/** Between blocks: a 1x1 conv compresses the channels, a 2x2 average pool halves the resolution. */
function transition(g: GraphBuilder, x: FeatureMap): FeatureMap {
  return pool(g, bnReluConv(g, x, Math.floor(x.channels * COMPRESSION), 1), 'AveragePool', 2);
}

/** DenseNet-BC for CIFAR: a 3x3 stem conv to 2k channels, then dense blocks joined by transitions. */
function densenet(name: string, size: DensenetSize): ModelDefinition {
  return imageClassifier(name, 'densenet', size.imageSize, (g, image) => {
    let x = conv2d(g, image, { outChannels: 2 * size.growth, kernel: 3 });
    size.layersPerBlock.forEach((layers, block) => {
      if (block > 0) x = transition(g, x);
      x = denseBlock(g, x, layers, size.growth);
    });
    poolAndClassify(g, relu(g, batchNorm(g, x)));
  });
}

export const densenetTiny = densenet('densenet-tiny', {
  imageSize: 32,
  growth: 12,
  layersPerBlock: [4, 4, 4],
});
export const densenetSmall = densenet('densenet-small', {
  imageSize: 32,
  growth: 12,
  layersPerBlock: [8, 8, 8],
});
export const densenetMedium = densenet('densenet-medium', {
  imageSize: 32,
  growth: 12,
  layersPerBlock: [12, 12, 12],
});
