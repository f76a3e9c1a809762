import type { Algorithm } from '../algorithms/algorithm.js';
import { settingsDesign } from '../algorithms/initial-design.js';
import { SpecError } from '../errors.js';
import type { SearchSpace } from '../space/search-space.js';
import { ensureBackend } from './backend.js';
import { fineTune } from './finetune.js';
import { DEFAULT_HIDDEN, disposeParams, initMlp, type MlpParams, predict } from './mlp.js';
import { findShippedMetamodel } from './shipped.js';
import { type Acquisition, smboSuggest } from './smbo.js';
import { loadMetamodel, type Metamodel, type MetamodelKind } from './weights-file.js';

/** Settings of the online search with a pre-trained network (morphling, finetune). */
export interface OnlineSettings {
  /** Path of the weights file; empty: the shipped default for the kind, if it exists and fits the space. */
  metamodel: string;
  initialDesign: number;
  designKnobs: string[];
  /** δ in f_θ(x) + δ·|f_θ(x) − f_θ'(x)|. */
  delta: number;
  /** Fine-tuning steps per suggestion; undefined: the weights file's recommended adaptation. */
  fineTuneSteps?: number | undefined;
  /** Fine-tuning step size; undefined: the weights file's recommended adaptation. */
  learningRate?: number | undefined;
  /** Without any weights file: Adam steps (and step size) of the from-scratch network. */
  scratchSteps: number;
  scratchLearningRate: number;
  seed: number;
  feasibilityThreshold: number;
  coverageAttempts: number;
  maxCandidates: number;
}

/** Warning code of `process.emitWarning` when no meta-model is available and the search trains from scratch. */
export const FALLBACK_WARNING = 'MORPHLING_METAMODEL_FALLBACK';

/**
 * The SMBO of Morphling (and, with a pooled network, of the Fine-Tuning baseline): on every call the
 * pre-trained weights are fine-tuned on all succeeded observations (normalised by the best observed so
 * far, see normalise.ts), every unmeasured configuration is scored with the paper's acquisition
 * `f_θ(x) + δ·|f_θ(x) − f_θ'(x)|` (θ' the weights before the last fine-tuning step), and the best
 * distinct ones are returned. The weights file is loaded once per space and checked against it.
 *
 * Without a weights file (none given and no shipped default that fits the space), it says so once with
 * `process.emitWarning` (code MORPHLING_METAMODEL_FALLBACK) and trains a seeded fresh network from
 * scratch on every call instead (Adam, `scratchSteps`) — Ernest plus the exploration bonus.
 */
export function metamodelSearch(kind: MetamodelKind, algorithm: string, settings: OnlineSettings): Algorithm {
  const fallback =
    "falling back to a network trained from scratch on this experiment's trials (Ernest with an exploration bonus), which needs many more trials than a meta-model";
  return networkSearch(kind, algorithm, settings, fallback, (metamodel, space) => {
    const tuning = metamodel
      ? {
          steps: settings.fineTuneSteps ?? metamodel.adaptation.steps,
          learningRate: settings.learningRate ?? metamodel.adaptation.learningRate,
          optimizer: metamodel.adaptation.optimizer,
        }
      : {
          steps: settings.scratchSteps,
          learningRate: settings.scratchLearningRate,
          optimizer: 'adam' as const,
        };
    return (task, candidates) => {
      const start =
        metamodel?.params ?? initMlp({ inputDim: space.dimension, hidden: DEFAULT_HIDDEN }, settings.seed);
      try {
        return acquisitionValues(start, task.x, task.y, candidates, settings.delta, tuning);
      } finally {
        if (!metamodel) disposeParams(start);
      }
    };
  });
}

/** What every search with a pre-trained network shares: its weights file, design and SMBO loop. */
export type NetworkSearchSettings = Pick<
  OnlineSettings,
  | 'metamodel'
  | 'initialDesign'
  | 'designKnobs'
  | 'seed'
  | 'feasibilityThreshold'
  | 'coverageAttempts'
  | 'maxCandidates'
>;

/**
 * The SMBO loop (smbo.ts) of a search with a pre-trained network: the weights file (or the fallback,
 * see `cachedPrior`), the corner design of the settings, and the acquisition `acquisition` builds from
 * the loaded network (undefined: none) for each suggestion. With neither a network nor an observation
 * there is nothing to score by: the loop fills space instead.
 */
export function networkSearch(
  kind: MetamodelKind,
  algorithm: string,
  settings: NetworkSearchSettings,
  fallback: string,
  acquisition: (metamodel: Metamodel | undefined, space: SearchSpace) => Acquisition,
): Algorithm {
  const prior = cachedPrior(kind, algorithm, settings.metamodel, fallback);
  return {
    async suggest({ space, history, count, objectiveMetric }) {
      if (count <= 0) return [];
      await ensureBackend();
      const metamodel = await prior(space, objectiveMetric);
      const design = settingsDesign(space, settings);
      const acquire = acquisition(metamodel, space);
      return smboSuggest(space, history, count, { ...settings, design }, (task, candidates) =>
        !metamodel && task.x.length === 0 ? undefined : acquire(task, candidates),
      );
    },
  };
}

/**
 * The weights file of a search, loaded once per (space, objective) and checked against the space:
 * the `metamodel` path, or when it is empty the shipped default of the kind. undefined when there is
 * none: then it says so once with `process.emitWarning` (code MORPHLING_METAMODEL_FALLBACK), naming
 * what the search does instead (`fallback`).
 */
function cachedPrior(
  kind: MetamodelKind,
  algorithm: string,
  path: string,
  fallback: string,
): (space: SearchSpace, objectiveMetric: string | undefined) => Promise<Metamodel | undefined> {
  let cached: { key: string; prior: Promise<Metamodel | undefined> } | undefined;
  return (space, objectiveMetric) => {
    const key = JSON.stringify([space.toJSON(), objectiveMetric]);
    if (cached?.key !== key) {
      cached?.prior.then((m) => m && disposeParams(m.params)).catch(() => undefined);
      cached = { key, prior: resolvePrior(kind, algorithm, path, fallback, space, objectiveMetric) };
    }
    return cached.prior;
  };
}

/** f_θ(x) + δ·|f_θ(x) − f_θ'(x)| after fine-tuning `start` on (x, y). */
export function acquisitionValues(
  start: MlpParams,
  x: readonly (readonly number[])[],
  y: readonly number[],
  candidates: readonly (readonly number[])[],
  delta: number,
  tuning: { steps: number; learningRate: number; optimizer: 'sgd' | 'adam' },
): Float64Array {
  const tuned = fineTune(start, x, y, tuning);
  try {
    const f = predict(tuned.params, candidates);
    if (delta === 0) return Float64Array.from(f);
    const previous = predict(tuned.previous, candidates);
    return Float64Array.from(f, (v, i) => v + delta * Math.abs(v - (previous[i] as number)));
  } finally {
    disposeParams(tuned.params);
    disposeParams(tuned.previous);
  }
}

async function resolvePrior(
  kind: MetamodelKind,
  algorithm: string,
  given: string,
  fallback: string,
  space: SearchSpace,
  objectiveMetric: string | undefined,
): Promise<Metamodel | undefined> {
  let path = given;
  if (path === '') {
    const shipped = await findShippedMetamodel(kind, space, objectiveMetric);
    if (!shipped.path) {
      process.emitWarning(`${algorithm}: no metamodel setting, and ${shipped.why}; ${fallback}`, {
        code: FALLBACK_WARNING,
      });
      return undefined;
    }
    path = shipped.path;
  }
  const model = await loadMetamodel(path, space);
  if (model.kind !== kind) {
    disposeParams(model.params);
    throw new SpecError([
      {
        path,
        message: `is a "${model.kind}" network; algorithm ${algorithm} expects a "${kind}" one${
          model.kind === 'pooled'
            ? ' (use algorithm finetune or morphling-gp)'
            : model.kind === 'maml'
              ? ' (use algorithm morphling)'
              : ''
        }`,
      },
    ]);
  }
  return model;
}
