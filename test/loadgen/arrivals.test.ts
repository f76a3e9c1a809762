import { describe, expect, it } from 'vitest';
import { arrivalGaps } from '../../src/loadgen/arrivals.js';
import { seededRandom } from '../../src/loadgen/random.js';

describe('arrivalGaps', () => {
  it('spaces constant arrivals exactly and Poisson arrivals with the same mean', () => {
    const constant = arrivalGaps('constant', 250, seededRandom(1));
    expect(constant()).toBe(4);
    const poisson = arrivalGaps('poisson', 250, seededRandom(1));
    const gaps = Array.from({ length: 20_000 }, poisson);
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    expect(mean).toBeGreaterThan(3.9);
    expect(mean).toBeLessThan(4.1);
    // Exponential gaps: about 1 - 1/e of them are shorter than the mean.
    expect(gaps.filter((gap) => gap < 4).length / gaps.length).toBeCloseTo(1 - Math.exp(-1), 1);
  });
});
