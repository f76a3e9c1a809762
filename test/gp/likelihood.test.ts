import { describe, expect, it } from 'vitest';
import { DEFAULT_BOUNDS, fitHyperparameters, logPrior } from '../../src/gp/fit.js';
import { fromLogVector, toLogVector } from '../../src/gp/hyperparameters.js';
import { minimise } from '../../src/gp/lbfgs.js';
import { logMarginalLikelihood } from '../../src/gp/likelihood.js';
import { toPoints } from '../../src/gp/points.js';
import { standardise } from '../../src/gp/standardise.js';
import { seededUniform } from './helpers.js';

describe('log marginal likelihood', () => {
  it('has an analytic gradient that matches central finite differences', () => {
    const uniform = seededUniform(4);
    const x = toPoints(Array.from({ length: 15 }, () => [uniform(), uniform(), uniform()]));
    const y = Array.from({ length: 15 }, (_, i) => Math.sin(4 * (x.data[3 * i] as number)) + 0.3 * uniform());
    const h = { lengthScales: [0.3, 0.8, 1.5], signalVariance: 0.9, noiseVariance: 0.02 };
    const { gradient } = logMarginalLikelihood(x, y, h);
    const base = toLogVector(h);
    const step = 1e-5;
    base.forEach((_, i) => {
      const up = Float64Array.from(base);
      const down = Float64Array.from(base);
      up[i] = (up[i] as number) + step;
      down[i] = (down[i] as number) - step;
      const numeric =
        (logMarginalLikelihood(x, y, fromLogVector(up)).value -
          logMarginalLikelihood(x, y, fromLogVector(down)).value) /
        (2 * step);
      expect(gradient[i]).toBeCloseTo(numeric, 5);
    });
  });

  it('matches the closed form for a single point', () => {
    // n = 1: y ~ N(0, s² + σ²).
    const h = { lengthScales: [1], signalVariance: 2, noiseVariance: 0.5 };
    const { value } = logMarginalLikelihood(toPoints([[0.3]]), [1.5], h);
    expect(value).toBeCloseTo((-0.5 * (1.5 * 1.5)) / 2.5 - 0.5 * Math.log(2 * Math.PI * 2.5), 12);
  });

  it('has a prior gradient that matches finite differences', () => {
    const h = { lengthScales: [0.1, 3], signalVariance: 2, noiseVariance: 1e-4 };
    const priors = {
      lengthScale: { median: 0.5, sdLog: 1 },
      signalVariance: { median: 1, sdLog: 1 },
      noiseVariance: { median: 0.01, sdLog: 2 },
    };
    const { gradient } = logPrior(h, priors);
    const base = toLogVector(h);
    base.forEach((_, i) => {
      const up = Float64Array.from(base);
      up[i] = (up[i] as number) + 1e-6;
      const numeric = (logPrior(fromLogVector(up), priors).value - logPrior(h, priors).value) / 1e-6;
      expect(gradient[i]).toBeCloseTo(numeric, 4);
    });
  });
});

describe('L-BFGS', () => {
  it('minimises the Rosenbrock function', () => {
    const result = minimise(
      (v) => {
        const [a, b] = [v[0] as number, v[1] as number];
        return {
          value: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
          gradient: Float64Array.from([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]),
        };
      },
      [-1.2, 1],
      { maxIterations: 200, valueTolerance: 0 },
    );
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });
});

describe('hyperparameter fit', () => {
  const grid = Array.from({ length: 30 }, (_, i) => i / 29);
  const fitted = (f: (t: number) => number) =>
    fitHyperparameters(toPoints(grid.map((t) => [t])), standardise(grid.map(f)).values, {
      restarts: 3,
      seed: 1,
    }).hyperparameters;

  it('recovers a longer length scale for a smooth function than for a wiggly one', () => {
    const smooth = fitted((t) => Math.sin(3 * t));
    const wiggly = fitted((t) => Math.sin(30 * t));
    expect(smooth.lengthScales[0]).toBeGreaterThan(0.4);
    expect(wiggly.lengthScales[0]).toBeLessThan(0.15);
    expect(smooth.lengthScales[0] as number).toBeGreaterThan(4 * (wiggly.lengthScales[0] as number));
    // Noiseless data: the fitted noise is a small fraction of the (unit) variance.
    expect(smooth.noiseVariance).toBeLessThan(1e-2);
    expect(wiggly.noiseVariance).toBeLessThan(1e-2);
  });

  it('treats an irrelevant input as irrelevant and stays inside the bounds', () => {
    const uniform = seededUniform(8);
    const rows = Array.from({ length: 30 }, () => [uniform(), uniform()]);
    const y = standardise(rows.map(([a]) => Math.sin(5 * (a as number)))).values;
    const h = fitHyperparameters(toPoints(rows), y, { restarts: 2, seed: 3 }).hyperparameters;
    expect(h.lengthScales[1] as number).toBeGreaterThan(5 * (h.lengthScales[0] as number));
    for (const l of h.lengthScales) {
      expect(l).toBeGreaterThanOrEqual(DEFAULT_BOUNDS.lengthScale[0]);
      expect(l).toBeLessThanOrEqual(DEFAULT_BOUNDS.lengthScale[1]);
    }
  });

  it('is deterministic for a seed and beats the starting point', () => {
    const uniform = seededUniform(11);
    const rows = Array.from({ length: 20 }, () => [uniform(), uniform()]);
    const y = standardise(
      rows.map(([a, b]) => (a as number) * 2 + Math.cos(6 * (b as number)) + 0.1 * uniform()),
    ).values;
    const x = toPoints(rows);
    const a = fitHyperparameters(x, y, { restarts: 3, seed: 5 });
    const b = fitHyperparameters(x, y, { restarts: 3, seed: 5 });
    expect(a).toEqual(b);
    const start = { lengthScales: [0.5, 0.5], signalVariance: 1, noiseVariance: 0.01 };
    expect(a.logMarginalLikelihood).toBeGreaterThan(logMarginalLikelihood(x, y, start).value);
  });
});
