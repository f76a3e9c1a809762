export type {
  Config,
  Observation,
  ParameterCategory,
  ParameterSpec,
  ParameterType,
  ParameterValue,
} from './parameter.js';
export { parameterProblems } from './parameter-values.js';
export { parseQuantity } from './quantity.js';
export { MAX_SPACE_SIZE, type Parameter, SearchSpace } from './search-space.js';
