export {
  type ClosedLoopOptionsInput,
  type ClosedLoopResult,
  closedLoopOptionsSchema,
  measureClosedLoop,
} from './closed-loop.js';
export { type FindPeakOptions, findPeak, measurementAt, type PeakResult } from './find-peak.js';
export { HttpTarget, type SendOutcome } from './http-target.js';
export { LatencyHistogram } from './latency-histogram.js';
export { type LevelDriver, type LoadLevel, measureLevel } from './level.js';
export type { Measurement } from './measurement.js';
export { OpenLoopGenerator } from './open-loop.js';
export {
  type InputSignature,
  inputSignatureSchema,
  type LevelSettings,
  type LoadSettings,
  levelSettingsSchema,
  loadSettingsSchema,
  type PeakSearchOptions,
  type PeakSearchOptionsInput,
  peakSearchOptionsSchema,
  type RequestSettings,
  type RequestSource,
  requestSchema,
  requestSourceSchema,
  type SearchSettings,
  type Slo,
  searchSettingsSchema,
  sloSchema,
} from './options.js';
export { type MeasureLevel, type SearchOutcome, searchPeak } from './peak-search.js';
export { inferBody, type PreparedRequest, prepareRequest } from './request-body.js';
export { type ErrorKind, mergeWindows, type WindowStats } from './window.js';
