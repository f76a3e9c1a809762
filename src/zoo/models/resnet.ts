import type { GraphBuilder } from '../graph-builder.js';
import { add, convBnRelu, type FeatureMap, relu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { imageClassifier, poolAndClassify } from '../vision-layers.js';

/** Residual block kinds: `basic` is two 3x3 convs (ResNet-18/34), `bottleneck` is 1x1-3x3-1x1 (ResNet-50). */
type BlockKind = 'basic' | 'bottleneck';

/** A bottleneck block's output is this many times wider than its 3x3 conv. */
const EXPANSION = 4;

interface ResnetSize {
  imageSize: number;
  block: BlockKind;
  /** Width of each stage's 3x3 convs; every stage after the first halves the resolution. */
  stageWidths: readonly number[];
  blocksPerStage: readonly number[];
}

/** Adds the block's branch to its input, through a strided 1x1 projection when the shape changes. */
function residual(g: GraphBuilder, x: FeatureMap, branch: FeatureMap, stride: number): FeatureMap {
  const shortcut =
    stride === 1 && x.channels === branch.channels
      ? x
      : convBnRelu(g, x, { outChannels: branch.channels, kernel: 1, stride }, false);
  return relu(g, add(g, branch, shortcut));
}

function basicBlock(g: GraphBuilder, x: FeatureMap, width: number, stride: number): FeatureMap {
  const first = convBnRelu(g, x, { outChannels: width, kernel: 3, stride });
  return residual(g, x, convBnRelu(g, first, { outChannels: width, kernel: 3 }, false), stride);
}

/** The 1x1 convs squeeze to `width` and expand back, so the 3x3 runs on a quarter of the channels. */
function bottleneckBlock(g: GraphBuilder, x: FeatureMap, width: number, stride: number): FeatureMap {
  const reduced = convBnRelu(g, x, { outChannels: width, kernel: 1 });
  const spatial = convBnRelu(g, reduced, { outChannels: width, kernel: 3, stride });
  const expanded = convBnRelu(g, spatial, { outChannels: width * EXPANSION, kernel: 1 }, false);
  return residual(g, x, expanded, stride);
}

function resnet(name: string, size: ResnetSize): ModelDefinition {
  const block = size.block === 'basic' ? basicBlock : bottleneckBlock;
  return imageClassifier(name, 'resnet', size.imageSize, (g, image) => {
    let x = convBnRelu(g, image, { outChannels: size.stageWidths[0] ?? 32, kernel: 3 });
    size.stageWidths.forEach((width, stage) => {
      const blocks = size.blocksPerStage[stage] ?? 1;
      for (let index = 0; index < blocks; index++) {
        x = block(g, x, width, stage > 0 && index === 0 ? 2 : 1);
      }
    });
    poolAndClassify(g, x);
  });
}

/** resnet-tiny's layout (two basic blocks per stage) at 1.5 times its width. */
export const resnetSmall = resnet('resnet-small', {
  imageSize: 32,
  block: 'basic',
  stageWidths: [48, 96, 192],
  blocksPerStage: [2, 2, 2],
});

/** ResNet-50's [3, 4, 6] bottleneck layout on CIFAR-sized images. */
export const resnetMedium = resnet('resnet-medium', {
  imageSize: 32,
  block: 'bottleneck',
  stageWidths: [40, 80, 160],
  blocksPerStage: [3, 4, 6],
});
