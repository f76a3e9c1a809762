import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { crossKernel, kernelMatrix, kernelValue, matern52 } from '../../src/gp/kernel.js';
import { cholesky, choleskySolve, inverseFromCholesky } from '../../src/gp/linear-algebra.js';
import { pointAt, toPoints } from '../../src/gp/points.js';
import { seededUniform } from './helpers.js';

const params = { lengthScales: [0.3, 0.7, 2], signalVariance: 1.7 };

describe('Matérn 5/2 ARD kernel', () => {
  it('is 1 at distance 0 and decreases with distance', () => {
    expect(matern52(0)).toBe(1);
    expect(matern52(1)).toBeCloseTo((1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 12);
    expect(matern52(0.5)).toBeGreaterThan(matern52(1));
    expect(matern52(30)).toBeLessThan(1e-20);
  });

  it('scales each dimension by its own length scale', () => {
    // A step of 0.3 along dimension 0 is one length scale, like a step of 0.7 along dimension 1.
    const a = kernelValue([0, 0, 0], [0.3, 0, 0], params);
    const b = kernelValue([0, 0, 0], [0, 0.7, 0], params);
    expect(a).toBeCloseTo(b, 12);
    expect(a).toBeCloseTo(1.7 * matern52(1), 12);
  });

  it('gives a symmetric positive definite matrix with the signal variance on the diagonal', () => {
    const uniform = seededUniform(3);
    const x = toPoints(Array.from({ length: 25 }, () => [uniform(), uniform(), uniform()]));
    const k = kernelMatrix(x, params);
    const n = x.count;
    for (let i = 0; i < n; i++) {
      expect(k[i * n + i]).toBe(1.7);
      for (let j = 0; j < n; j++) expect(k[i * n + j]).toBe(k[j * n + i]);
    }
    const eigen = new EigenvalueDecomposition(Matrix.from1DArray(n, n, k));
    expect(Math.min(...eigen.realEigenvalues)).toBeGreaterThan(0);
    expect(cholesky(k, n).jitter).toBe(0);
    // The cross kernel of the points with themselves is the same matrix.
    expect(Array.from(crossKernel(x, x, params))).toEqual(Array.from(k));
    expect(k[1]).toBeCloseTo(kernelValue(pointAt(x, 0), pointAt(x, 1), params), 14);
  });
});

describe('Cholesky helpers', () => {
  it('solve and invert consistently with ml-matrix', () => {
    const a = Matrix.from1DArray(3, 3, [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const factor = cholesky(Float64Array.from(a.to1DArray()), 3);
    const b = [1, 2, 3];
    const x = choleskySolve(factor, b);
    const check = a.mmul(Matrix.columnVector(Array.from(x))).to1DArray();
    check.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i] as number, 12);
    });
    const inverse = inverseFromCholesky(factor);
    const product = a.mmul(Matrix.from1DArray(3, 3, inverse));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(product.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
  });

  it('adds jitter to a singular (duplicate-point) matrix instead of failing', () => {
    const x = toPoints([[0.2], [0.2], [0.9]]);
    const factor = cholesky(kernelMatrix(x, { lengthScales: [0.5], signalVariance: 1 }), 3);
    expect(factor.jitter).toBeGreaterThan(0);
    expect(factor.jitter).toBeLessThan(1e-3);
  });
});
