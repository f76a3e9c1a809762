import { describe, expect, it } from 'vitest';
import {
  expectedImprovement,
  logExpectedImprovement,
  normalCdf,
  normalPdf,
  upperConfidenceBound,
} from '../../src/gp/acquisition.js';

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804, 9);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.001349898, 8);
    expect(normalCdf(-8) / 6.22096057e-16).toBeCloseTo(1, 5);
  });
});

describe('expected improvement', () => {
  it('has the closed form (μ − f* − ξ) Φ(z) + σ φ(z)', () => {
    // At the incumbent with σ = 1: EI = φ(0).
    expect(expectedImprovement(0, 1, 0, 0)).toBeCloseTo(0.3989422804, 7);
    // One sd above: Φ(1) + φ(1).
    expect(expectedImprovement(1, 1, 0, 0)).toBeCloseTo(0.8413447461 + 0.2419707245, 7);
    // Scale: EI(μ, σ) with everything doubled doubles.
    expect(expectedImprovement(2, 2, 0, 0)).toBeCloseTo(2 * (0.8413447461 + 0.2419707245), 6);
    // ξ shifts the incumbent: EI(μ = 1, f* = 0, ξ = 1) = EI(0, f* = 0, ξ = 0).
    expect(expectedImprovement(1, 1, 0, 1)).toBeCloseTo(0.3989422804, 7);
    // One sd below: φ(1) − Φ(−1).
    expect(expectedImprovement(-1, 1, 0, 0)).toBeCloseTo(0.2419707245 - 0.1586552539, 7);
  });

  it('is the plain improvement when there is no uncertainty', () => {
    expect(expectedImprovement(3, 0, 1, 0.5)).toBe(1.5);
    expect(expectedImprovement(1, 0, 3, 0)).toBe(0);
  });

  it('grows with the mean and with the uncertainty', () => {
    expect(expectedImprovement(0.5, 1, 0)).toBeGreaterThan(expectedImprovement(0.4, 1, 0));
    expect(expectedImprovement(-2, 2, 0)).toBeGreaterThan(expectedImprovement(-2, 1, 0));
  });

  it('log EI agrees where EI is representable and keeps ranking where it underflows', () => {
    for (const mean of [1, 0, -2, -5, -9.9]) {
      expect(logExpectedImprovement(mean, 1, 0, 0)).toBeCloseTo(
        Math.log(expectedImprovement(mean, 1, 0, 0)),
        4,
      );
    }
    // Past the switch to the asymptotic series (z <= -10) it still matches the direct formula.
    for (const mean of [-10.5, -12]) {
      expect(logExpectedImprovement(mean, 1, 0, 0)).toBeCloseTo(
        Math.log(expectedImprovement(mean, 1, 0, 0)),
        3,
      );
    }
    expect(expectedImprovement(-50, 1, 0, 0)).toBe(0);
    const far = logExpectedImprovement(-50, 1, 0, 0);
    const farther = logExpectedImprovement(-60, 1, 0, 0);
    expect(Number.isFinite(far)).toBe(true);
    expect(far).toBeGreaterThan(farther);
    expect(logExpectedImprovement(-1, 0, 0, 0)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('upper confidence bound', () => {
  it('is μ + √β σ', () => {
    expect(upperConfidenceBound(1, 2, 4)).toBe(5);
    expect(upperConfidenceBound(-1, 0.5, 0)).toBe(-1);
    expect(upperConfidenceBound(0, 1, 2)).toBeCloseTo(Math.SQRT2, 12);
  });
});
