import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAlgorithm } from '../../src/algorithms/registry.js';
import { findShippedMetamodel } from '../../src/metamodel/shipped.js';
import { loadExperimentFile } from '../../src/spec/index.js';

const examples = readdirSync('examples').filter((name) => name.endsWith('.yaml'));

describe('examples/', () => {
  it.each(examples)('%s loads as an experiment with a registered algorithm', async (name) => {
    const experiment = await loadExperimentFile(join('examples', name));
    expect(findAlgorithm(experiment.algorithm.definition.name)).toBe(experiment.algorithm.definition);
  });

  it('densenet-morphling.yaml searches the standard CPU space, which the shipped meta-model fits', async () => {
    const experiment = await loadExperimentFile('examples/densenet-morphling.yaml');
    const corpus = await loadExperimentFile('data/spaces/cpu.yaml');
    expect(experiment.space.toJSON()).toEqual(corpus.space.toJSON());
    const shipped = await findShippedMetamodel('pooled', experiment.space, 'rps');
    expect(shipped.path).toMatch(/cpu-pooled-rps\.json$/);
  });
});
