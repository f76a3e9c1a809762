import { describe, expect, it } from 'vitest';
import { fitFeasibility } from '../../src/metamodel/feasibility.js';

describe('feasibility classifier', () => {
  // Synthetic boundary: feasible iff memory (x1) ≥ 0.2 + 0.6·batch (x2); x0 (CPU) is irrelevant.
  const points: number[][] = [];
  for (let a = 0; a <= 4; a++)
    for (let b = 0; b <= 5; b++) for (let c = 0; c <= 5; c++) points.push([a / 4, b / 5, c / 5]);
  const feasible = (p: number[]) => (p[1] as number) >= 0.2 + 0.6 * (p[2] as number);

  it('learns a boundary across an irrelevant knob', () => {
    // Trials at CPU = 0 and 1 only; predictions at CPU = 0.5 must still follow the boundary.
    const seen = points.filter((p) => p[0] === 0 || p[0] === 1);
    const model = fitFeasibility(
      seen.filter(feasible),
      seen.filter((p) => !feasible(p)),
    );
    const unseen = points.filter((p) => p[0] === 0.5);
    const correct = unseen.filter((p) => model.probability(p) >= 0.5 === feasible(p)).length;
    expect(correct / unseen.length).toBeGreaterThanOrEqual(0.9);
    expect(model.probability([0.5, 1, 0])).toBeGreaterThan(0.9);
    expect(model.probability([0.5, 0, 1])).toBeLessThan(0.1);
  });

  it('is 1 everywhere without infeasible trials and stays finite on separable data', () => {
    expect(fitFeasibility([[0, 0]], []).probability([1, 1])).toBe(1);
    const model = fitFeasibility([[1, 1]], [[0, 0]]);
    expect(Number.isFinite(model.probability([0.5, 0.5]))).toBe(true);
    expect(model.probability([1, 1])).toBeGreaterThan(model.probability([0, 0]));
  });
});
