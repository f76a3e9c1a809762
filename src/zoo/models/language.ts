import type { ModelDefinition } from '../model-definition.js';
import { bertTiny } from './bert-tiny.js';

/** The text models (transformer, recurrent and embedding families), several sizes per family. */
export const languageModels: readonly ModelDefinition[] = [bertTiny];
