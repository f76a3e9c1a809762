import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { parseQuantity } from '../../src/space/quantity.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { SYNTHETIC_SPACE } from '../helpers/synthetic-table.js';

describe('SearchSpace', () => {
  const space = new SearchSpace(SYNTHETIC_SPACE);

  it('enumerates the discrete space with index ⇄ config round trips', () => {
    expect(space.size).toBe(4 * 3 * 6 * 2);
    const keys = new Set<string>();
    for (let i = 0; i < space.size; i++) {
      const config = space.configAt(i);
      expect(space.indexOf(config)).toBe(i);
      keys.add(space.key(config));
    }
    expect(keys.size).toBe(space.size);
    expect(space.configAt(0)).toEqual({ cpu: '500m', memory: '256Mi', MAX_BATCH_SIZE: 1, threads: 1 });
    expect(space.configAt(1)).toEqual({ cpu: '500m', memory: '256Mi', MAX_BATCH_SIZE: 1, threads: 2 });
    expect(() => space.configAt(space.size)).toThrow(RangeError);
  });

  it('treats every spelling of a value as the same value', () => {
    const a = space.canonical({ cpu: 0.5, memory: 268435456, MAX_BATCH_SIZE: '8', threads: '2' });
    expect(a).toEqual({ cpu: '500m', memory: '256Mi', MAX_BATCH_SIZE: 8, threads: 2 });
    expect(space.key({ cpu: '1500m', memory: '1Gi', MAX_BATCH_SIZE: 4, threads: 1 })).toBe(
      space.key({ cpu: 1.5, memory: '1024Mi', MAX_BATCH_SIZE: '4', threads: 1 }),
    );
    expect(() => space.canonical({ cpu: '3', memory: '1Gi', MAX_BATCH_SIZE: 4, threads: 1 })).toThrow(/cpu/);
    expect(() =>
      space.canonical({ cpu: '1', memory: '1Gi', MAX_BATCH_SIZE: 4, threads: 1, extra: 1 }),
    ).toThrow(/extra/);
  });

  it('encodes geometric knobs on a log scale and decodes back to the same config', () => {
    const batch = space.parameter('MAX_BATCH_SIZE');
    expect(batch?.scale).toBe('log');
    expect(space.parameter('cpu')?.scale).toBe('linear');
    const v = space.encode({ cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 4, threads: 2 });
    expect(v).toHaveLength(space.dimension);
    expect(v[2]).toBeCloseTo(2 / 5); // log2(4) / log2(32)
    expect(v[0]).toBeCloseTo(1 / 3); // (1 - 0.5) / (2 - 0.5)
    for (const config of space.configs()) expect(space.decode(space.encode(config))).toEqual(config);
  });

  it('one-hot encodes categorical knobs', () => {
    const s = new SearchSpace([
      {
        name: 'precision',
        category: 'env',
        parameterType: 'categorical',
        feasibleSpace: { list: ['fp32', 'bf16', 'int8'] },
      },
      { name: 'x', category: 'env', parameterType: 'double', feasibleSpace: { min: 0, max: 0.3, step: 0.1 } },
    ]);
    expect(s.dimension).toBe(4);
    expect(s.parameter('x')?.values).toEqual([0, 0.1, 0.2, 0.3]);
    expect(s.encode({ precision: 'bf16', x: 0.2 })).toEqual([0, 1, 0, expect.closeTo(2 / 3)]);
    expect(s.decode([0.1, 0.2, 0.9, 1])).toEqual({ precision: 'int8', x: 0.3 });
  });

  it('lists neighbours one step away on one knob', () => {
    const n = space.neighbours({ cpu: '500m', memory: '512Mi', MAX_BATCH_SIZE: 8, threads: 1 });
    const described = n.map((c) => space.key(c));
    expect(n).toContainEqual({ cpu: '1', memory: '512Mi', MAX_BATCH_SIZE: 8, threads: 1 });
    expect(n).toContainEqual({ cpu: '500m', memory: '256Mi', MAX_BATCH_SIZE: 8, threads: 1 });
    expect(n).toContainEqual({ cpu: '500m', memory: '1Gi', MAX_BATCH_SIZE: 8, threads: 1 });
    expect(n).toContainEqual({ cpu: '500m', memory: '512Mi', MAX_BATCH_SIZE: 4, threads: 1 });
    expect(n).toContainEqual({ cpu: '500m', memory: '512Mi', MAX_BATCH_SIZE: 16, threads: 1 });
    expect(n).toContainEqual({ cpu: '500m', memory: '512Mi', MAX_BATCH_SIZE: 8, threads: 2 });
    expect(new Set(described).size).toBe(6);
  });

  it('round-trips through JSON', () => {
    const again = new SearchSpace(JSON.parse(JSON.stringify(space)));
    expect(again.size).toBe(space.size);
    expect(again.configAt(37)).toEqual(space.configAt(37));
  });

  it('rejects invalid parameters with their paths', () => {
    const bad = () =>
      new SearchSpace([
        { name: 'a', category: 'env', parameterType: 'int', feasibleSpace: { min: 8, max: 4 } },
        { name: 'a', category: 'env', parameterType: 'discrete', feasibleSpace: { list: ['x'] } },
      ]);
    expect(bad).toThrow(SpecError);
    try {
      bad();
    } catch (error) {
      expect((error as SpecError).problems).toEqual([
        { path: '[0].feasibleSpace', message: 'min (8) is greater than max (4)' },
        {
          path: '[1].feasibleSpace.list[0]',
          message: '"x" is not a number or quantity; use parameterType categorical for names',
        },
        { path: '[1].name', message: 'duplicates the name of parameter [0] ("a")' },
      ]);
    }
  });
});

describe('parseQuantity', () => {
  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('abc')).toBeUndefined();
    expect(parseQuantity('5Xi')).toBeUndefined();
  });
});
