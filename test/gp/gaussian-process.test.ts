import { Matrix, inverse as matrixInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CandidatePosterior } from '../../src/gp/fantasy.js';
import { GaussianProcess } from '../../src/gp/gaussian-process.js';
import { crossKernel, kernelMatrix } from '../../src/gp/kernel.js';
import { concatPoints, selectPoints, toPoints } from '../../src/gp/points.js';
import { standardise } from '../../src/gp/standardise.js';
import { seededUniform } from './helpers.js';

const noiseless = { lengthScales: [0.3, 0.5], signalVariance: 1, noiseVariance: 1e-8 };

function randomPoints(count: number, dim: number, seed: number) {
  const uniform = seededUniform(seed);
  return toPoints(Array.from({ length: count }, () => Array.from({ length: dim }, uniform)));
}

describe('GaussianProcess', () => {
  const x = toPoints([
    [0.1, 0.2],
    [0.4, 0.9],
    [0.8, 0.3],
    [0.5, 0.5],
    [0.95, 0.95],
  ]);
  const y = [0.3, -1.2, 0.8, 0.1, 1.5];

  it('interpolates noiseless training points, with ~0 variance there', () => {
    const gp = new GaussianProcess(x, y, noiseless);
    const { mean, variance } = gp.predict(x);
    y.forEach((value, i) => {
      expect(mean[i]).toBeCloseTo(value, 5);
    });
    for (const v of variance) expect(v).toBeLessThan(1e-6);
    gp.trainingMean().forEach((m, i) => {
      expect(m).toBeCloseTo(y[i] as number, 6);
    });
  });

  it('is more uncertain away from the data, up to the prior variance', () => {
    const gp = new GaussianProcess(x, y, noiseless);
    const between = gp.predict(toPoints([[0.3, 0.55]])).variance[0] as number;
    const far = gp.predict(toPoints([[5, 5]]));
    expect(between).toBeGreaterThan(1e-3);
    expect(between).toBeLessThan(1);
    expect(far.variance[0]).toBeCloseTo(1, 6);
    expect(far.mean[0]).toBeCloseTo(0, 6);
  });

  it('matches the textbook formulas computed with dense ml-matrix inverses', () => {
    const h = { lengthScales: [0.4, 0.2, 0.8], signalVariance: 1.3, noiseVariance: 0.05 };
    const train = randomPoints(20, 3, 5);
    const test = randomPoints(40, 3, 6);
    const uniform = seededUniform(9);
    const targets = Array.from({ length: 20 }, () => uniform() * 2 - 1);
    const { mean, variance } = new GaussianProcess(train, targets, h).predict(test);
    const k = Matrix.from1DArray(20, 20, kernelMatrix(train, h)).add(Matrix.eye(20).mul(h.noiseVariance));
    const ks = Matrix.from1DArray(20, 40, crossKernel(train, test, h));
    const kinv = matrixInverse(k);
    const expectedMean = ks.transpose().mmul(kinv).mmul(Matrix.columnVector(targets)).to1DArray();
    const reduction = ks.transpose().mmul(kinv).mmul(ks);
    for (let j = 0; j < 40; j++) {
      expect(mean[j]).toBeCloseTo(expectedMean[j] as number, 9);
      expect(variance[j]).toBeCloseTo(h.signalVariance - reduction.get(j, j), 9);
    }
  });

  it('believing a candidate at its mean equals refitting with that fantasy observation', () => {
    const h = { lengthScales: [0.3, 0.6], signalVariance: 1, noiseVariance: 0.01 };
    const train = randomPoints(12, 2, 1);
    const uniform = seededUniform(2);
    const targets = Array.from({ length: 12 }, () => uniform());
    const candidates = randomPoints(50, 2, 3);
    const gp = new GaussianProcess(train, targets, h);
    const posterior = new CandidatePosterior(gp, candidates);
    const before = Float64Array.from(posterior.mean);
    posterior.believe(7);
    posterior.believe(19);
    const lies = gp.predict(selectPoints(candidates, [7, 19])).mean;
    const refit = new GaussianProcess(
      concatPoints(train, selectPoints(candidates, [7, 19])),
      [...targets, ...lies],
      h,
    ).predict(candidates);
    for (let j = 0; j < 50; j++) {
      expect(posterior.mean[j]).toBeCloseTo(before[j] as number, 12);
      expect(refit.mean[j]).toBeCloseTo(before[j] as number, 9);
      expect(posterior.variance[j]).toBeCloseTo(refit.variance[j] as number, 9);
    }
    expect(posterior.variance[7]).toBeLessThan(0.01);
  });
});

describe('standardise', () => {
  it('gives zero mean and unit sample variance, and maps back', () => {
    const s = standardise([100, 120, 80, 140]);
    const values = Array.from(s.values);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(values.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 12);
    expect(s.toOriginal(s.values[2] as number)).toBeCloseTo(80, 10);
    expect(s.toStandard(110)).toBeCloseTo(0, 12);
  });

  it('only shifts when the scores do not vary', () => {
    expect(Array.from(standardise([5, 5]).values)).toEqual([0, 0]);
    expect(standardise([7]).scale).toBe(1);
  });
});
