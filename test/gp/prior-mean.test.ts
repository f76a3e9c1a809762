import { describe, expect, it } from 'vitest';
import { priorMeanExpectedImprovement } from '../../src/gp/prior-mean.js';

/** One knob on 11 grid points; the service's true surface peaks at 0.7. */
const grid = Array.from({ length: 11 }, (_, i) => i / 10);
const truth = (x: number) => 1 - (x - 0.7) ** 2;

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

describe('priorMeanExpectedImprovement', () => {
  it("ranks by the prior alone until two observations can fit the residuals' scale", () => {
    const prior = grid.map((x) => 1 - (x - 0.2) ** 2);
    const values = priorMeanExpectedImprovement({
      x: [[0.5]],
      y: [truth(0.5)],
      priorAtTrials: [1 - 0.3 ** 2],
      candidates: grid.map((x) => [x]),
      priorAtCandidates: prior,
      xi: 0,
      seed: 1,
    });
    expect(Array.from(values)).toEqual(prior);
  });

  it('lets the trials overrule a prior that puts the peak in the wrong place', () => {
    // The prior believes the peak is at 0.2; the trials (all but 0.4 and 0.7) say 0.7.
    const prior = (x: number) => 1 - (x - 0.2) ** 2;
    const measured = grid.filter((x) => x !== 0.4 && x !== 0.7);
    const candidates = [0.4, 0.7];
    expect(prior(0.4)).toBeGreaterThan(prior(0.7));
    const values = priorMeanExpectedImprovement({
      x: measured.map((x) => [x]),
      y: measured.map(truth),
      priorAtTrials: measured.map(prior),
      candidates: candidates.map((x) => [x]),
      priorAtCandidates: candidates.map(prior),
      xi: 0,
      seed: 1,
    });
    expect(candidates[argmax(values)]).toBe(0.7);
  });

  it('follows a correct prior to the unmeasured peak', () => {
    const measured = [0, 0.3, 1];
    const candidates = grid.filter((x) => !measured.includes(x));
    const values = priorMeanExpectedImprovement({
      x: measured.map((x) => [x]),
      y: measured.map(truth),
      priorAtTrials: measured.map(truth),
      candidates: candidates.map((x) => [x]),
      priorAtCandidates: candidates.map(truth),
      xi: 0,
      seed: 1,
    });
    expect(candidates[argmax(values)]).toBe(0.7);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});
