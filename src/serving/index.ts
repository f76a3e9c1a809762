export {
  type BatchExecutor,
  type BatcherOptions,
  type BatchStats,
  DynamicBatcher,
  type InferenceResult,
  NoInstanceError,
} from './batcher.js';
export { ModelInstance, type ModelMetadata, type TensorMetadata } from './model-instance.js';
export {
  optionsFromProcess,
  parseServerOptions,
  type ServerOptions,
  type ServerOptionsInput,
} from './options.js';
export { type RunningServer, startServer } from './server.js';
export type { HostTensor, TensorMap, TensorType } from './tensor.js';
