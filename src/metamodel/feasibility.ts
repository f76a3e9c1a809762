/**
 * A small probabilistic classifier of feasibility, fitted on every call from the trials so far:
 * L2-regularised logistic regression on the unit-cube encoding and its pairwise products (quadratic
 * features: enough for boundaries such as "memory share ≥ a + b·batch" or "batch ≤ c on slow GPUs"),
 * fitted by Newton's method (IRLS). It learns which knobs matter for failing — the CPU count does not
 * make an out-of-memory failure any less likely — which a distance-based penalty cannot.
 */
export interface FeasibilityModel {
  /** Probability that a configuration (encoded) is feasible. */
  probability(point: readonly number[]): number;
}

export interface FeasibilityOptions {
  /** L2 penalty on every weight but the intercept. */
  ridge?: number;
  iterations?: number;
}

export function quadraticFeatures(point: readonly number[]): number[] {
  const features = [1, ...point];
  for (let i = 0; i < point.length; i++) {
    for (let j = i; j < point.length; j++) features.push((point[i] as number) * (point[j] as number));
  }
  return features;
}

/**
 * Fits the classifier on feasible (succeeded) and infeasible/failed points. Without any infeasible
 * point every probability is 1; without any feasible one, every probability is the same small value.
 */
export function fitFeasibility(
  feasible: readonly (readonly number[])[],
  infeasible: readonly (readonly number[])[],
  options: FeasibilityOptions = {},
): FeasibilityModel {
  if (infeasible.length === 0) return { probability: () => 1 };
  const rows = [...feasible, ...infeasible].map(quadraticFeatures);
  const labels = [...feasible.map(() => 1), ...infeasible.map(() => 0)];
  const p = (rows[0] as number[]).length;
  const ridge = options.ridge ?? 0.1;
  const w = new Float64Array(p);
  for (let iteration = 0; iteration < (options.iterations ?? 25); iteration++) {
    const gradient = new Float64Array(p);
    const hessian = new Float64Array(p * p);
    rows.forEach((x, n) => {
      const mu = sigmoid(dot(w, x));
      const r = mu - (labels[n] as number);
      const s = Math.max(mu * (1 - mu), 1e-10);
      for (let i = 0; i < p; i++) {
        gradient[i] = (gradient[i] as number) + r * (x[i] as number);
        for (let j = 0; j < p; j++)
          hessian[i * p + j] = (hessian[i * p + j] as number) + s * (x[i] as number) * (x[j] as number);
      }
    });
    for (let i = 1; i < p; i++) {
      gradient[i] = (gradient[i] as number) + ridge * (w[i] as number);
      hessian[i * p + i] = (hessian[i * p + i] as number) + ridge;
    }
    hessian[0] = (hessian[0] as number) + 1e-6;
    const step = solve(hessian, gradient, p);
    let change = 0;
    for (let i = 0; i < p; i++) {
      w[i] = (w[i] as number) - (step[i] as number);
      change = Math.max(change, Math.abs(step[i] as number));
    }
    if (change < 1e-8) break;
  }
  return { probability: (point) => sigmoid(dot(w, quadraticFeatures(point))) };
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function dot(w: Float64Array, x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += (w[i] as number) * (x[i] as number);
  return sum;
}

/** Solves A x = b for a symmetric positive definite A (Cholesky), A and b row-major. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / (l[j * n + j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}
