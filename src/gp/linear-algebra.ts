/**
 * Dense linear algebra on row-major `Float64Array`s, written for the GP's shapes: one factorisation of
 * an n × n kernel matrix (n up to a few hundred) and triangular solves against thousands of right-hand
 * sides. Everything walks contiguous rows; ml-matrix's `CholeskyDecomposition` (used by the tests as
 * the reference) goes through `Matrix.get/set` and was measured ~3x slower at n = 200, which matters
 * because the hyperparameter fit factorises a few hundred times per suggestion.
 */
export interface CholeskyFactor {
  /** Size of the matrix. */
  readonly n: number;
  /** Lower-triangular `L` with `A + jitter·I = L Lᵀ`, row-major `n × n`. */
  readonly lower: Float64Array;
  /** What was added to the diagonal to make the factorisation succeed (0 when nothing was needed). */
  readonly jitter: number;
}

/** In-place-free Cholesky–Banachiewicz; undefined when a pivot is not positive. */
function tryCholesky(a: Float64Array, n: number, jitter: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let s = a[rowI + j] as number;
      for (let k = 0; k < j; k++) s -= (l[rowI + k] as number) * (l[rowJ + k] as number);
      if (i === j) {
        s += jitter;
        if (!(s > 0)) return undefined;
        l[rowI + i] = Math.sqrt(s);
      } else l[rowI + j] = s / (l[rowJ + j] as number);
    }
  }
  return l;
}

/**
 * Cholesky factor of a symmetric positive (semi-)definite matrix (only its lower triangle is read).
 * If rounding makes it indefinite, an increasing jitter (1e-10 up to 1e-4 times the mean diagonal) is
 * added to the diagonal before giving up.
 */
export function cholesky(a: Float64Array, n: number): CholeskyFactor {
  if (a.length !== n * n) throw new RangeError(`expected ${n * n} entries, got ${a.length}`);
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += a[i * n + i] as number;
  meanDiagonal = Math.max(meanDiagonal / Math.max(n, 1), Number.MIN_VALUE);
  for (
    let jitter = 0;
    jitter <= 2e-4 * meanDiagonal;
    jitter = jitter === 0 ? 1e-10 * meanDiagonal : jitter * 10
  ) {
    const lower = tryCholesky(a, n, jitter);
    if (lower) return { n, lower, jitter };
  }
  throw new RangeError('the matrix is not positive definite, even with jitter on its diagonal');
}

/** `log det(A)` from its Cholesky factor: `2 Σ log L_ii`. */
export function logDeterminant({ n, lower }: CholeskyFactor): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(lower[i * n + i] as number);
  return 2 * sum;
}

/** Solves `L x = b` (forward substitution), returning a new vector. */
export function solveLower({ n, lower }: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i] as number;
    const row = i * n;
    for (let k = 0; k < i; k++) s -= (lower[row + k] as number) * (x[k] as number);
    x[i] = s / (lower[row + i] as number);
  }
  return x;
}

/** Solves `Lᵀ x = b` (back substitution), returning a new vector. */
export function solveUpper({ n, lower }: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i] as number;
    for (let k = i + 1; k < n; k++) s -= (lower[k * n + i] as number) * (x[k] as number);
    x[i] = s / (lower[i * n + i] as number);
  }
  return x;
}

/** Solves `A x = b` given the Cholesky factor of `A`. */
export function choleskySolve(factor: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  return solveUpper(factor, solveLower(factor, b));
}

/**
 * Solves `L X = B` in place for an `n × m` row-major `B` (m right-hand sides at once). Row operations
 * run along contiguous memory, so 200 × 5000 takes a few tens of milliseconds.
 */
export function solveLowerInPlace({ n, lower }: CholeskyFactor, b: Float64Array, m: number): Float64Array {
  if (b.length !== n * m) throw new RangeError(`expected ${n * m} entries, got ${b.length}`);
  for (let i = 0; i < n; i++) {
    const rowI = i * m;
    for (let k = 0; k < i; k++) {
      const l = lower[i * n + k] as number;
      if (l === 0) continue;
      const rowK = k * m;
      for (let j = 0; j < m; j++) b[rowI + j] = (b[rowI + j] as number) - l * (b[rowK + j] as number);
    }
    const diagonal = lower[i * n + i] as number;
    for (let j = 0; j < m; j++) b[rowI + j] = (b[rowI + j] as number) / diagonal;
  }
  return b;
}

/**
 * `A⁻¹` (row-major, symmetric) from the Cholesky factor of `A`: `L⁻ᵀ L⁻¹`, with `L⁻¹` built row by
 * row (it is lower triangular, so row k only has k + 1 entries) and the product summed as outer
 * products of those rows. About n³/3 multiply-adds, all along contiguous memory.
 */
export function inverseFromCholesky({ n, lower }: CholeskyFactor): Float64Array {
  const li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    li[rowI + i] = 1;
    for (let k = 0; k < i; k++) {
      const l = lower[rowI + k] as number;
      if (l === 0) continue;
      const rowK = k * n;
      for (let j = 0; j <= k; j++) li[rowI + j] = (li[rowI + j] as number) - l * (li[rowK + j] as number);
    }
    const diagonal = lower[rowI + i] as number;
    for (let j = 0; j <= i; j++) li[rowI + j] = (li[rowI + j] as number) / diagonal;
  }
  const inverse = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    for (let i = 0; i <= k; i++) {
      const lki = li[rowK + i] as number;
      if (lki === 0) continue;
      const rowI = i * n;
      for (let j = 0; j <= i; j++)
        inverse[rowI + j] = (inverse[rowI + j] as number) + lki * (li[rowK + j] as number);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) inverse[j * n + i] = inverse[i * n + j] as number;
  return inverse;
}
