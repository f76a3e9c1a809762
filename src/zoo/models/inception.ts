import type { GraphBuilder } from '../graph-builder.js';
import { convBnRelu, type FeatureMap } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { concat, imageClassifier, pool, poolAndClassify } from '../vision-layers.js';

/**
 * Output channels of one module's branches, in the GoogLeNet paper's table order: the 1x1 branch, the 1x1
 * reduction before the 3x3 and the 3x3 itself, the same pair for the 5x5, and the 1x1 after the max pool.
 */
type ModuleWidths = readonly [c1: number, r3: number, c3: number, r5: number, c5: number, poolProj: number];

/** GoogLeNet's modules 3a-3b, 4a-4e and 5a-5b at full width; 'pool' marks a stride-2 max pool. */
const GOOGLENET: ReadonlyArray<ModuleWidths | 'pool'> = [
  [64, 96, 128, 16, 32, 32],
  [128, 128, 192, 32, 96, 64],
  'pool',
  [192, 96, 208, 16, 48, 64],
  [160, 112, 224, 24, 64, 64],
  [128, 128, 256, 24, 64, 64],
  [112, 144, 288, 32, 64, 64],
  [256, 160, 320, 32, 128, 128],
  'pool',
  [256, 160, 320, 32, 128, 128],
  [384, 192, 384, 48, 128, 128],
];
const STEM_CHANNELS = 192;

const scaled = (channels: number, scale: number) => Math.max(1, Math.round(channels * scale));

/**
 * Four parallel branches over the same input, joined along channels; every conv is a conv+BN+Relu unit as
 * in BN-Inception. `scale` multiplies all the table's widths.
 */
function inceptionModule(g: GraphBuilder, x: FeatureMap, widths: ModuleWidths, scale: number): FeatureMap {
  const [c1, r3, c3, r5, c5, poolProj] = widths;
  const unit = (input: FeatureMap, outChannels: number, kernel = 1) =>
    convBnRelu(g, input, { outChannels: scaled(outChannels, scale), kernel });
  return concat(g, [
    unit(x, c1),
    unit(unit(x, r3), c3, 3),
    unit(unit(x, r5), c5, 5),
    unit(pool(g, x, 'MaxPool', 3, 1), poolProj),
  ]);
}

/**
 * GoogLeNet for CIFAR-sized images: one 3x3 stem conv instead of the ImageNet stem's downsampling, then all
 * nine modules at `scale` times the paper's widths.
 */
function inception(name: string, scale: number, imageSize: number): ModelDefinition {
  return imageClassifier(name, 'inception', imageSize, (g, image) => {
    let x = convBnRelu(g, image, { outChannels: scaled(STEM_CHANNELS, scale), kernel: 3 });
    for (const step of GOOGLENET) {
      x = step === 'pool' ? pool(g, x, 'MaxPool', 3, 2) : inceptionModule(g, x, step, scale);
    }
    poolAndClassify(g, x);
  });
}

export const inceptionTiny = inception('inception-tiny', 0.125, 32);
export const inceptionSmall = inception('inception-small', 0.25, 32);
export const inceptionMedium = inception('inception-medium', 0.375, 32);
