import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { loadExperimentFile } from '../../src/spec/load.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

let dir: string;
let table: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'morphling-spec-'));
  table = writeSyntheticTable(dir);
});

/** The problems a document gets, as `path: message` lines. */
function problemsOf(document: unknown): string[] {
  try {
    resolveExperiment(document, dir);
  } catch (error) {
    if (error instanceof SpecError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the document was accepted');
}

function withSpec(patch: (spec: Record<string, unknown>) => void) {
  const document = syntheticExperiment(table);
  patch(document.spec as Record<string, unknown>);
  return document;
}

describe('resolveExperiment', () => {
  it('resolves a valid document with defaults', () => {
    const experiment = resolveExperiment(syntheticExperiment(table), dir);
    expect(experiment.name).toBe('synthetic');
    expect(experiment.space.size).toBe(144);
    expect(experiment.parallelism).toBe(1);
    expect(experiment.objective.slo).toEqual({ percentile: 99, latencyMs: 1000, maxErrorRate: 0.01 });
    expect(experiment.objective.pricing.cpuPerCore).toBe(0.02);
    expect(experiment.runner.definition.name).toBe('replay');
    expect(experiment.parameters.find((p) => p.name === 'cpu')?.category).toBe('resource');
  });

  it('accepts numbers written as strings, as alibaba/morphling files do', () => {
    const document = withSpec((spec) => {
      spec.tunableParameters = [
        {
          category: 'env',
          parameters: [
            { name: 'BATCH', parameterType: 'int', feasibleSpace: { min: '1', max: '4', step: '1' } },
          ],
        },
      ];
      spec.algorithm = { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: '7' }] };
    });
    const experiment = resolveExperiment(document, dir);
    expect(experiment.space.parameter('BATCH')?.values).toEqual([1, 2, 3, 4]);
    expect(experiment.algorithm.settings).toEqual({ seed: 7 });
  });

  it('names a missing field', () => {
    expect(problemsOf(withSpec((spec) => delete spec.maxNumTrials))).toEqual([
      'spec.maxNumTrials: is required',
    ]);
    const noName = syntheticExperiment(table) as { metadata?: unknown };
    delete noName.metadata;
    expect(problemsOf(noName)).toEqual(['metadata: is required']);
  });

  it('names a field of the wrong type', () => {
    expect(problemsOf(withSpec((spec) => (spec.maxNumTrials = 'ten')))).toEqual([
      'spec.maxNumTrials: expected a number, got the string "ten"',
    ]);
    expect(problemsOf(withSpec((spec) => (spec.tunableParameters = { cpu: 1 })))).toEqual([
      'spec.tunableParameters: expected a list, got a mapping',
    ]);
    expect(problemsOf(withSpec((spec) => (spec.maxNumTrials = 2.5)))).toEqual([
      'spec.maxNumTrials: expected an integer, got number 2.5',
    ]);
  });

  it('rejects empty lists', () => {
    expect(problemsOf(withSpec((spec) => (spec.tunableParameters = [])))).toEqual([
      'spec.tunableParameters: must not be empty',
    ]);
    expect(
      problemsOf(
        withSpec((spec) => {
          spec.tunableParameters = [
            {
              category: 'env',
              parameters: [{ name: 'b', parameterType: 'discrete', feasibleSpace: { list: [] } }],
            },
          ];
        }),
      ),
    ).toEqual(['spec.tunableParameters[0].parameters[0].feasibleSpace.list: must not be empty']);
  });

  it('rejects min > max and step <= 0 with the path of the parameter', () => {
    const document = withSpec((spec) => {
      spec.tunableParameters = [
        {
          category: 'resource',
          parameters: [
            { name: 'cpu', parameterType: 'double', feasibleSpace: { min: 1, max: 2, step: 0.5 } },
          ],
        },
        {
          category: 'env',
          parameters: [
            { name: 'batch', parameterType: 'int', feasibleSpace: { min: 8, max: 4 } },
            { name: 'delay', parameterType: 'double', feasibleSpace: { min: 0, max: 4, step: 0 } },
          ],
        },
      ];
    });
    expect(problemsOf(document)).toEqual([
      'spec.tunableParameters[1].parameters[0].feasibleSpace: min (8) is greater than max (4)',
      'spec.tunableParameters[1].parameters[1].feasibleSpace.step: must be greater than 0, got 0',
    ]);
  });

  it('rejects an unknown algorithm with a suggestion', () => {
    expect(problemsOf(withSpec((spec) => (spec.algorithm = { algorithmName: 'randon' })))).toEqual([
      'spec.algorithm.algorithmName: unknown algorithm "randon" (did you mean "random"?); known: bo, ernest, finetune, grid, morphling, morphling-gp, random, vizier',
    ]);
  });

  it('rejects unknown algorithm settings and bad setting values', () => {
    const typo = withSpec(
      (spec) =>
        (spec.algorithm = { algorithmName: 'random', algorithmSettings: [{ name: 'sed', value: '1' }] }),
    );
    expect(problemsOf(typo)).toEqual([
      'spec.algorithm.algorithmSettings[0].name: unknown setting "sed" for algorithm random (did you mean "seed"?); known: seed',
    ]);
    const bad = withSpec(
      (spec) =>
        (spec.algorithm = { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 'x' }] }),
    );
    expect(problemsOf(bad)[0]).toMatch(/^spec\.algorithm\.algorithmSettings\[0\]\.value: seed /);
  });

  it('rejects unknown fields with "did you mean"', () => {
    const document = withSpec((spec) => {
      spec.maxNumTrails = 5;
      spec.algorithm = { algorithmName: 'grid', algorithmSetings: [] };
      spec.bogus = true;
    });
    expect(problemsOf(document)).toEqual([
      'spec.algorithm.algorithmSetings: unknown field (did you mean "algorithmSettings"?)',
      'spec.maxNumTrails: unknown field (did you mean "maxNumTrials"?)',
      'spec.bogus: unknown field',
    ]);
  });

  it('rejects duplicate parameter names, also across categories', () => {
    const document = withSpec((spec) => {
      spec.tunableParameters = [
        {
          category: 'resource',
          parameters: [{ name: 'cpu', parameterType: 'discrete', feasibleSpace: { list: [1, 2] } }],
        },
        {
          category: 'env',
          parameters: [{ name: 'cpu', parameterType: 'int', feasibleSpace: { min: 1, max: 2 } }],
        },
      ];
    });
    expect(problemsOf(document)).toEqual([
      'spec.tunableParameters[1].parameters[0].name: duplicate parameter name "cpu" (also at spec.tunableParameters[0].parameters[0])',
    ]);
  });

  it('rejects bad enum values and runner settings', () => {
    expect(problemsOf(withSpec((spec) => (spec.objective = { type: 'maximise' })))).toEqual([
      'spec.objective.type: must be one of maximize, minimize; got "maximise" (did you mean "maximize"?)',
    ]);
    expect(problemsOf(withSpec((spec) => (spec.runner = { name: 'replay', settings: {} })))).toEqual([
      'spec.runner.settings.table: is required',
    ]);
    expect(problemsOf(withSpec((spec) => (spec.runner = { name: 'replya', settings: {} })))[0]).toMatch(
      /^spec\.runner\.name: unknown runner "replya" \(did you mean "replay"\?\)/,
    );
  });

  it('reports several problems at once', () => {
    const document = withSpec((spec) => {
      spec.maxNumTrials = 0;
      spec.parallelism = -1;
    });
    expect(problemsOf(document)).toEqual([
      'spec.maxNumTrials: must be greater than 0, got number 0',
      'spec.parallelism: must be greater than 0, got number -1',
    ]);
  });
});

describe('loadExperimentFile', () => {
  async function loadProblems(name: string, content: string): Promise<string[]> {
    const path = join(dir, name);
    writeFileSync(path, content);
    try {
      await loadExperimentFile(path);
    } catch (error) {
      if (error instanceof SpecError)
        return error.problems.map((p) => `${p.path.replace(dir, '<dir>')}: ${p.message}`);
      throw error;
    }
    throw new Error('accepted');
  }

  it('rejects an empty file', async () => {
    expect(await loadProblems('empty.yaml', '  \n')).toEqual(['<dir>/empty.yaml: the file is empty']);
    expect(await loadProblems('comments.yaml', '# nothing\n')).toEqual([
      '<dir>/comments.yaml: the file is empty',
    ]);
  });

  it('rejects a file that is not YAML', async () => {
    const problems = await loadProblems('broken.yaml', 'spec: [unclosed\n  maxNumTrials: : 3\n');
    expect(problems[0]).toMatch(/^<dir>\/broken\.yaml:\d+:\d+: not valid YAML: /);
    expect(await loadProblems('binary.yaml', 'abc\u0000def')).toEqual([
      '<dir>/binary.yaml: not a YAML or JSON file (it contains binary data)',
    ]);
    expect(await loadProblems('text.yaml', 'just some words')).toEqual([
      ': an experiment must be a mapping of fields, got the string "just some words"',
    ]);
    expect((await loadProblems('bad.json', '{"a": '))[0]).toMatch(/^<dir>\/bad\.json: not valid JSON: /);
  });

  it('rejects a missing file', async () => {
    await expect(loadExperimentFile(join(dir, 'nope.yaml'))).rejects.toThrow(/no such file/);
  });

  it('loads YAML and JSON and resolves paths against the file', async () => {
    const yamlPath = join(dir, 'ok.yaml');
    writeFileSync(
      yamlPath,
      JSON.stringify(syntheticExperiment('synthetic.jsonl')).replace(/^/, ''), // JSON is YAML
    );
    const experiment = await loadExperimentFile(yamlPath);
    expect(experiment.baseDir).toBe(dir);
    expect(experiment.runner.settings).toEqual({ table: 'synthetic.jsonl', delayMs: 0 });
  });
});
