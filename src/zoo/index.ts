export { ensureModelFile } from './model-file.js';
export { BATCH, type BuiltModel, type ModelDtype, type ModelInfo, type TensorInfo } from './model-info.js';
export { buildModel, DEFAULT_SEED, isZooModel, listModels } from './registry.js';
