import type { ModelDefinition } from '../model-definition.js';
import { densenetMedium, densenetSmall, densenetTiny } from './densenet.js';
import { efficientnetMedium, efficientnetSmall, efficientnetTiny } from './efficientnet.js';
import { inceptionMedium, inceptionSmall, inceptionTiny } from './inception.js';
import { mobilenetMedium, mobilenetSmall } from './mobilenet.js';
import { mobilenetTiny } from './mobilenet-tiny.js';
import { nasnetMedium, nasnetSmall, nasnetTiny } from './nasnet.js';
import { resnetMedium, resnetSmall } from './resnet.js';
import { resnetTiny } from './resnet-tiny.js';
import { vggSmall, vggTiny } from './vgg.js';

/** The image models (CNN families), several sizes per family. */
export const visionModels: readonly ModelDefinition[] = [
  resnetTiny,
  resnetSmall,
  resnetMedium,
  mobilenetTiny,
  mobilenetSmall,
  mobilenetMedium,
  vggTiny,
  vggSmall,
  inceptionTiny,
  inceptionSmall,
  inceptionMedium,
  densenetTiny,
  densenetSmall,
  densenetMedium,
  nasnetTiny,
  nasnetSmall,
  nasnetMedium,
  efficientnetTiny,
  efficientnetSmall,
  efficientnetMedium,
];
