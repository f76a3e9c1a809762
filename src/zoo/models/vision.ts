import type { ModelDefinition } from '../model-definition.js';
import { mobilenetTiny } from './mobilenet-tiny.js';
import { resnetTiny } from './resnet-tiny.js';

/** The image models (CNN families), several sizes per family. */
export const visionModels: readonly ModelDefinition[] = [resnetTiny, mobilenetTiny];
