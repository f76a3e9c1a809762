import { conv2d, type FeatureMap, relu, reluClassifier } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { IMAGE_CLASSES, imageClassifier, pool } from '../vision-layers.js';

const IMAGE_SIZE = 32;
/** Width of the two hidden Gemms: the paper's 4096 would outweigh all the convs at this image size. */
const HIDDEN = 256;

/**
 * Paper configurations A (VGG-11) and D (VGG-16) at half width: each stage's 3x3 convs, followed by a 2x2
 * MaxPool, five times, so 32x32 images end as 1x1.
 */
const VGG11_STAGES = [[32], [64], [128, 128], [256, 256], [256, 256]];
const VGG16_STAGES = [
  [32, 32],
  [64, 64],
  [128, 128, 128],
  [256, 256, 256],
  [256, 256, 256],
];

/**
 * Plain conv+bias+Relu stacks as in the paper (no BatchNormalization), then a Flatten and three Gemms.
 * Dropout only acts in training, so the classifier is just Gemm-Relu-Gemm-Relu-Gemm.
 */
function vgg(name: string, stages: readonly (readonly number[])[]): ModelDefinition {
  return imageClassifier(name, 'vgg', IMAGE_SIZE, (g, image) => {
    let x: FeatureMap = image;
    for (const stage of stages) {
      for (const channels of stage)
        x = relu(g, conv2d(g, x, { outChannels: channels, kernel: 3, bias: true }));
      x = pool(g, x, 'MaxPool', 2);
    }
    const features = x.channels * x.size * x.size;
    reluClassifier(g, g.op('Flatten', [x.name]), features, [HIDDEN, HIDDEN], IMAGE_CLASSES);
  });
}

export const vggTiny = vgg('vgg-tiny', VGG11_STAGES);
export const vggSmall = vgg('vgg-small', VGG16_STAGES);
