/** A differentiable objective: its value and gradient at a point (value may be non-finite off-domain). */
export type Objective = (x: Float64Array) => { value: number; gradient: Float64Array };

export interface MinimiseOptions {
  /** Most iterations (each one gradient evaluation plus any backtracking). Default 100. */
  maxIterations?: number;
  /** Stop when every gradient component is below this in absolute value. Default 1e-6. */
  gradientTolerance?: number;
  /** Stop when an iteration improves the value by less than this (relative). Default 1e-10. */
  valueTolerance?: number;
  /** Number of correction pairs kept. Default 8. */
  memory?: number;
}

export interface MinimiseResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Unconstrained minimisation by L-BFGS (two-loop recursion) with a backtracking Armijo line search.
 * Points where the objective throws or is not finite count as "too far" and the step is shortened, so
 * a Cholesky failure at an extreme hyperparameter does not end the search. Returns the best point seen.
 */
export function minimise(
  objective: Objective,
  start: ArrayLike<number>,
  options: MinimiseOptions = {},
): MinimiseResult {
  const maxIterations = options.maxIterations ?? 100;
  const gradientTolerance = options.gradientTolerance ?? 1e-6;
  const valueTolerance = options.valueTolerance ?? 1e-10;
  const memory = options.memory ?? 8;
  let evaluations = 0;
  const evaluate = (x: Float64Array) => {
    evaluations++;
    try {
      const result = objective(x);
      const finite = Number.isFinite(result.value) && result.gradient.every(Number.isFinite);
      return finite ? result : undefined;
    } catch {
      return undefined;
    }
  };

  let x: Float64Array = Float64Array.from(start);
  const first = evaluate(x);
  if (!first) throw new RangeError('the objective is not finite at the starting point');
  let value = first.value;
  let gradient: Float64Array = first.gradient;
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const rhos: number[] = [];
  let iterations = 0;

  while (iterations < maxIterations) {
    if (gradient.every((g) => Math.abs(g) < gradientTolerance)) break;
    iterations++;
    // Two-loop recursion: direction = −H·g.
    const q = Float64Array.from(gradient);
    const alphas: number[] = [];
    for (let k = steps.length - 1; k >= 0; k--) {
      const a = (rhos[k] as number) * dot(steps[k] as Float64Array, q);
      alphas[k] = a;
      const y = changes[k] as Float64Array;
      for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) - a * (y[i] as number);
    }
    if (steps.length > 0) {
      const s = steps[steps.length - 1] as Float64Array;
      const y = changes[changes.length - 1] as Float64Array;
      const gamma = dot(s, y) / dot(y, y);
      for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) * gamma;
    } else {
      // First step: a unit-length move along the steepest descent.
      const norm = Math.sqrt(dot(gradient, gradient));
      for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) / Math.max(norm, 1e-12);
    }
    for (let k = 0; k < steps.length; k++) {
      const y = changes[k] as Float64Array;
      const b = (rhos[k] as number) * dot(y, q);
      const s = steps[k] as Float64Array;
      for (let i = 0; i < q.length; i++)
        q[i] = (q[i] as number) + ((alphas[k] as number) - b) * (s[i] as number);
    }
    let direction = q.map((v) => -v);
    let slope = dot(direction, gradient);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature): forget the memory and go downhill.
      steps.length = 0;
      changes.length = 0;
      rhos.length = 0;
      const norm = Math.sqrt(dot(gradient, gradient));
      direction = gradient.map((g) => -g / Math.max(norm, 1e-12));
      slope = dot(direction, gradient);
    }

    let step = 1;
    let accepted: { x: Float64Array; value: number; gradient: Float64Array } | undefined;
    for (let tries = 0; tries < 40; tries++, step *= 0.5) {
      const candidate = x.map((v, i) => v + step * (direction[i] as number));
      const result = evaluate(candidate);
      if (result && result.value <= value + 1e-4 * step * slope) {
        accepted = { x: candidate, ...result };
        break;
      }
    }
    if (!accepted) break;

    const s = accepted.x.map((v, i) => v - (x[i] as number));
    const y = accepted.gradient.map((g, i) => g - (gradient[i] as number));
    const sy = dot(s, y);
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
      steps.push(s);
      changes.push(y);
      rhos.push(1 / sy);
      if (steps.length > memory) {
        steps.shift();
        changes.shift();
        rhos.shift();
      }
    }
    const improvement = value - accepted.value;
    x = accepted.x;
    value = accepted.value;
    gradient = accepted.gradient;
    if (improvement <= valueTolerance * Math.max(1, Math.abs(value))) break;
  }
  return { x, value, iterations, evaluations };
}
