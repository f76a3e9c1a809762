export { loadExperimentFile, parseExperimentText } from './load.js';
export { resolveExperiment } from './resolve.js';
export type { ResolvedExperiment } from './resolved.js';
export { type ExperimentDocument, ExperimentDocumentSchema } from './schema.js';
