export type { ControllerEvent } from './events.js';
export { type Measurer, measureInstance } from './measure.js';
export { type RunOptions, type RunResult, runExperiment } from './run-experiment.js';
export { bestTrial } from './stop-rules.js';
