import type { Algorithm } from '../algorithms/algorithm.js';
import { settingsDesign } from '../algorithms/initial-design.js';
import { priorMeanExpectedImprovement } from '../gp/index.js';
import { ensureBackend } from './backend.js';
import { predict } from './mlp.js';
import { cachedPrior } from './online.js';
import { type Acquisition, smboSuggest } from './smbo.js';
import type { MetamodelKind } from './weights-file.js';

/** Settings of the search with a meta-learned prior mean and a GP on its residuals. */
export interface PriorSearchSettings {
  /** Path of the weights file; empty: the shipped default for the kind, if it exists and fits the space. */
  metamodel: string;
  initialDesign: number;
  designKnobs: string[];
  /** EI's minimum improvement, as a fraction of the best score observed so far. */
  xi: number;
  seed: number;
  feasibilityThreshold: number;
  coverageAttempts: number;
  maxCandidates: number;
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
  const prior = cachedPrior(kind, algorithm, settings.metamodel, fallback);
  return {
    async suggest({ space, history, count, objectiveMetric }) {
      if (count <= 0) return [];
      await ensureBackend();
      const metamodel = await prior(space, objectiveMetric);
      const design = settingsDesign(space, settings);
      const acquire: Acquisition = (task, candidates) => {
        if (!metamodel && task.x.length === 0) return undefined;
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
      };
      return smboSuggest(space, history, count, { ...settings, design }, acquire);
    },
  };
}
