import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findShippedMetamodel } from '../../src/metamodel/shipped.js';
import type { ParameterSpec } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';

const SPECS: ParameterSpec[] = [
  { name: 'cpu', category: 'resource', parameterType: 'discrete', feasibleSpace: { list: ['500m', '1'] } },
  { name: 'MAX_BATCH_SIZE', category: 'env', parameterType: 'discrete', feasibleSpace: { list: [1, 4] } },
];
const space = new SearchSpace(SPECS);
const other: ParameterSpec[] = [{ ...(SPECS[0] as ParameterSpec), feasibleSpace: { list: ['250m', '1'] } }];

/** A folder of weights files; only their descriptions matter to the lookup. */
function folder(files: Record<string, { kind: string; space: ParameterSpec[]; metric: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipped-'));
  for (const [name, { kind, space: specs, metric }] of Object.entries(files)) {
    writeFileSync(
      join(dir, name),
      JSON.stringify({ kind, space: specs, objective: { metric, goal: 'maximize' } }),
    );
  }
  return dir;
}

describe('findShippedMetamodel', () => {
  const dir = folder({
    'a-other-space.json': { kind: 'maml', space: other, metric: 'rps' },
    'b-cost.json': { kind: 'maml', space: SPECS, metric: 'rps_per_cost' },
    'c-rps-pooled.json': { kind: 'pooled', space: SPECS, metric: 'rps' },
    'd-rps.json': { kind: 'maml', space: SPECS, metric: 'rps' },
  });

  it('picks the file of the same kind, space and objective', async () => {
    expect(await findShippedMetamodel('maml', space, 'rps', dir)).toEqual({ path: join(dir, 'd-rps.json') });
    expect(await findShippedMetamodel('maml', space, 'rps_per_cost', dir)).toEqual({
      path: join(dir, 'b-cost.json'),
    });
    expect(await findShippedMetamodel('pooled', space, 'rps', dir)).toEqual({
      path: join(dir, 'c-rps-pooled.json'),
    });
  });

  it('takes the first that fits when the objective is unknown', async () => {
    expect(await findShippedMetamodel('maml', space, undefined, dir)).toEqual({
      path: join(dir, 'b-cost.json'),
    });
  });

  it('says why nothing fits', async () => {
    expect((await findShippedMetamodel('pooled', space, 'rps_per_cost', dir)).why).toBe(
      'the shipped "pooled" meta-models for this space are trained for rps, not rps_per_cost',
    );
    expect((await findShippedMetamodel('maml', new SearchSpace(SPECS.slice(1)), 'rps', dir)).why).toMatch(
      /none of the shipped meta-models in .* is a "maml" network for this space/,
    );
    expect((await findShippedMetamodel('maml', space, 'rps', join(dir, 'missing'))).why).toMatch(
      /^no shipped meta-models in /,
    );
  });
});
