export {
  type Constraints,
  checkConstraints,
  type Goal,
  OBJECTIVE_METRICS,
  type Objective,
  type ObjectiveMetric,
  objectiveValue,
  type Slo,
  score,
} from './objective.js';
export { costPerHour, PAPER_GPU_PRICES, type Pricing, PricingSchema, pricedResources } from './pricing.js';
