import type { Algorithm } from '../algorithms/algorithm.js';
import { priorMeanExpectedImprovement } from '../gp/index.js';
import { predict } from './mlp.js';
import { type NetworkSearchSettings, networkSearch } from './online.js';
import type { MetamodelKind } from './weights-file.js';

/** Settings of the search with a meta-learned prior mean and a GP on its residuals. */
export interface PriorSearchSettings extends NetworkSearchSettings {
  /** EI's minimum improvement, as a fraction of the best score observed so far. */
  xi: number;
}

/**
 * SMBO with a pre-trained network as the prior mean of a Gaussian process: the network's prediction
 * for a configuration is what the services it was trained on say; a GP fitted to the residuals of this
 * service's trials (normalised by the best so far, like the network's targets) corrects it, and
 * candidates are ranked by expected improvement. Before two trials have succeeded the network's own
 * ranking decides — its best configuration is the first trial when there is no initial design.
 *
 * Without a weights file the prior mean is 0 and the search is plain Bayesian optimisation (a warning
 * with code MORPHLING_METAMODEL_FALLBACK says so once); the first trial is then space-filling.
 */
export function priorMeanSearch(
  kind: MetamodelKind,
  algorithm: string,
  settings: PriorSearchSettings,
): Algorithm {
  const fallback = 'falling back to a Gaussian process with a zero prior mean (plain Bayesian optimisation)';
  return networkSearch(kind, algorithm, settings, fallback, (metamodel) => (task, candidates) => {
    const mean = (points: readonly (readonly number[])[]) =>
      metamodel ? predict(metamodel.params, points) : new Float32Array(points.length);
    return priorMeanExpectedImprovement({
      x: task.x,
      y: task.y,
      priorAtTrials: mean(task.x),
      candidates,
      priorAtCandidates: mean(candidates),
      xi: settings.xi,
      seed: settings.seed,
    });
  });
}
