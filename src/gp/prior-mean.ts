import { logExpectedImprovement } from './acquisition.js';
import { toPoints } from './points.js';
import { fitLevel } from './stack.js';

/** Observations and candidates for a GP around a prior mean function (e.g. a meta-learned network). */
export interface PriorMeanProblem {
  /** Encoded configurations of the observations (unit cube). */
  x: readonly (readonly number[])[];
  /** Their scores (larger is better). */
  y: ArrayLike<number>;
  /** The prior mean at each observation. */
  priorAtTrials: ArrayLike<number>;
  /** Encoded candidates to score. */
  candidates: readonly (readonly number[])[];
  /** The prior mean at each candidate. */
  priorAtCandidates: ArrayLike<number>;
  /** EI's minimum improvement, in the scores' units. */
  xi: number;
  /** Seed of the hyperparameter restarts. */
  seed: number;
}

/**
 * `log EI` of a Gaussian process whose prior mean is a given function m(x): the GP (Matérn 5/2 ARD,
 * hyperparameters by MAP) is fitted to the residuals y − m(x), the posterior mean is m(x) plus the
 * residual GP's mean, and the incumbent is the best posterior mean at an observation.
 *
 * The prior carries what other services taught (where the good region is); the GP carries what this
 * service's trials say, interpolates them exactly up to noise, and its variance makes the search look
 * at unmeasured candidates next to the incumbent before far ones. With fewer than two observations
 * there is nothing to fit the residuals' scale on: the prior's own ranking is returned.
 */
export function priorMeanExpectedImprovement(problem: PriorMeanProblem): Float64Array {
  const { x, y, priorAtTrials, candidates, priorAtCandidates } = problem;
  if (x.length < 2) return Float64Array.from(priorAtCandidates);
  const residuals = Float64Array.from(y, (v, i) => v - (priorAtTrials[i] as number));
  const level = fitLevel(toPoints(x), residuals, { seed: problem.seed });
  const fitted = level.trainingMean();
  let incumbent = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++)
    incumbent = Math.max(incumbent, (priorAtTrials[i] as number) + (fitted[i] as number));
  const posterior = level.predict(toPoints(candidates, x[0]?.length));
  return Float64Array.from(priorAtCandidates, (prior, j) =>
    logExpectedImprovement(
      prior + (posterior.mean[j] as number),
      Math.sqrt(posterior.variance[j] as number),
      incumbent,
      problem.xi,
    ),
  );
}
