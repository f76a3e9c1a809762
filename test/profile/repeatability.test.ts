import { describe, expect, it } from 'vitest';
import { benchObjective } from '../../src/bench/objectives.js';
import {
  configsToRemeasure,
  leadingConfigs,
  levelRatio,
  optimumCheck,
  pairCv,
  repeatedConfigs,
  sampledConfigs,
} from '../../src/profile/repeatability.js';
import { PROFILE_FORMAT, type ProfileRow, ProfileTable } from '../../src/profile/table.js';
import type { Config, ParameterSpec } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';

const SPECS: ParameterSpec[] = [
  {
    name: 'cpu',
    category: 'resource',
    parameterType: 'discrete',
    feasibleSpace: { list: ['250m', '500m', '1'] },
  },
  { name: 'MAX_BATCH_SIZE', category: 'env', parameterType: 'int', feasibleSpace: { min: 1, max: 8 } },
];
const space = new SearchSpace(SPECS);
const rps = benchObjective('rps');
const perCost = benchObjective('rps_per_cost');

/** Every configuration, rps = f(cores, batch); undefined makes the row infeasible. */
function table(f: (cores: number, batch: number) => number | undefined, only?: Config[]): ProfileTable {
  const configs = only ?? [...space.configs()];
  const rows = configs.map((config): ProfileRow => {
    const cores = { '250m': 0.25, '500m': 0.5, '1': 1 }[config.cpu as string] as number;
    const value = f(cores, Number(config.MAX_BATCH_SIZE));
    return value === undefined
      ? { config: { ...config }, status: 'infeasible', metrics: {}, reason: 'too slow' }
      : { config: { ...config }, status: 'succeeded', metrics: { rps: value } };
  });
  return new ProfileTable({ format: PROFILE_FORMAT, model: { name: 'm' }, space: SPECS }, rows, space);
}

const first = table((cores, batch) => cores * 100 + batch);
const key = (config: Config) => space.key(config);

describe('sampledConfigs', () => {
  it('draws ceil(fraction x rows) distinct configurations, the same ones for the same seed', () => {
    const sample = sampledConfigs(first, 0.1, 7);
    expect(sample).toHaveLength(Math.ceil(0.1 * 24));
    expect(new Set(sample.map(key)).size).toBe(sample.length);
    expect(sampledConfigs(first, 0.1, 7)).toEqual(sample);
    const others = [1, 2, 3, 4, 5].map((seed) => sampledConfigs(first, 0.1, seed).map(key).join());
    expect(new Set(others).size).toBeGreaterThan(1);
  });
});

describe('leadingConfigs', () => {
  it('orders feasible configurations best first under the objective', () => {
    const leaders = leadingConfigs(first, rps, 2);
    expect(leaders).toEqual([
      { cpu: '1', MAX_BATCH_SIZE: 8 },
      { cpu: '1', MAX_BATCH_SIZE: 7 },
    ]);
  });

  it('skips infeasible rows', () => {
    const capped = table((cores, batch) => (cores === 1 ? undefined : cores * 100 + batch));
    expect(leadingConfigs(capped, rps, 1)).toEqual([{ cpu: '500m', MAX_BATCH_SIZE: 8 }]);
  });
});

describe('configsToRemeasure', () => {
  it('is the sample plus each objective’s contenders, each configuration once', () => {
    const chosen = configsToRemeasure(first, [rps, rps, perCost], { fraction: 0.1, contenders: 2, seed: 3 });
    const keys = chosen.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const config of sampledConfigs(first, 0.1, 3)) expect(keys).toContain(key(config));
    for (const config of leadingConfigs(first, perCost, 2)) expect(keys).toContain(key(config));
    expect(keys).toContain(key({ cpu: '1', MAX_BATCH_SIZE: 8 }));
    expect(chosen.length).toBeLessThanOrEqual(3 + 2 + 2);
  });
});

describe('pairCv', () => {
  const leaders = leadingConfigs(first, rps, 2);

  it('is sqrt(2)|a-b|/(a+b) for two successful measurements', () => {
    const again = table((cores, batch) => (cores * 100 + batch) * 1.1, leaders);
    const pairs = repeatedConfigs(first, again);
    expect(pairs).toHaveLength(2);
    // a and 1.1a: sd = 0.1a/sqrt(2), mean = 1.05a.
    for (const pair of pairs) expect(pairCv(pair)).toBeCloseTo(0.1 / Math.SQRT2 / 1.05, 10);
  });

  it('is undefined when either measurement did not succeed', () => {
    const again = table(() => undefined, leaders);
    for (const pair of repeatedConfigs(first, again)) expect(pairCv(pair)).toBeUndefined();
  });
});

describe('levelRatio', () => {
  it('is the median again/first ratio, and pairCv divided by it is the noise left', () => {
    const factors = [1.1, 1.2, 1.2, 1.3, 1.5];
    const chosen = [...space.configs()].slice(0, factors.length);
    let i = 0;
    const again = table((cores, batch) => (cores * 100 + batch) * (factors[i++] as number), chosen);
    const pairs = repeatedConfigs(first, again);
    expect(levelRatio(pairs)).toBeCloseTo(1.2, 10);
    const cvs = pairs.map((pair) => pairCv(pair, 1.2) as number);
    expect(cvs.filter((cv) => cv < 1e-12)).toHaveLength(2);
    // 1.5 / 1.2 = 1.25: sd = 0.25/sqrt(2), mean = 1.125.
    expect(Math.max(...cvs)).toBeCloseTo(0.25 / Math.SQRT2 / 1.125, 10);
  });

  it('averages the middle two of an even count and skips configurations that did not succeed twice', () => {
    const factors = [undefined, 1, 2];
    const chosen = [...space.configs()].slice(0, factors.length);
    let i = 0;
    const again = table((cores, batch) => {
      const factor = factors[i++];
      return factor === undefined ? undefined : (cores * 100 + batch) * factor;
    }, chosen);
    expect(levelRatio(repeatedConfigs(first, again))).toBeCloseTo(1.5, 10);
    expect(levelRatio([])).toBeUndefined();
  });
});

describe('optimumCheck', () => {
  const leaders = leadingConfigs(first, rps, 2);

  it('holds when the repeats keep the order of the contenders, even if all moved alike', () => {
    const again = table((cores, batch) => (cores * 100 + batch) * 0.9, leaders);
    expect(optimumCheck(first, again, rps)).toEqual({
      before: { cpu: '1', MAX_BATCH_SIZE: 8 },
      after: { cpu: '1', MAX_BATCH_SIZE: 8 },
      holds: true,
      firstValueShare: 1,
    });
  });

  it('moves when the old optimum measures lower the second time, and says what the move costs', () => {
    const again = table((cores, batch) => (batch === 8 ? 50 : cores * 100 + batch), leaders);
    const check = optimumCheck(first, again, rps);
    expect(check?.holds).toBe(false);
    expect(check?.after).toEqual({ cpu: '1', MAX_BATCH_SIZE: 7 });
    expect(check?.firstValueShare).toBeCloseTo(107 / 108, 10);
  });

  it('moves when the old optimum turns infeasible', () => {
    const again = table((_, batch) => (batch === 8 ? undefined : 100), leaders);
    expect(optimumCheck(first, again, rps)?.after).toEqual({ cpu: '1', MAX_BATCH_SIZE: 7 });
  });
});
