/**
 * A set of points of the (encoded) input space stored row-major in one flat array, so the kernels can
 * walk thousands of candidates without allocating a small array per point.
 */
export interface Points {
  /** Number of points. */
  readonly count: number;
  /** Components per point. */
  readonly dim: number;
  /** `data[i * dim + d]` is component `d` of point `i`. */
  readonly data: Float64Array;
}

/** Packs rows of equal length into a `Points` value (`dim` is needed only when there are no rows). */
export function toPoints(rows: readonly (readonly number[])[], dim = rows[0]?.length ?? 0): Points {
  const data = new Float64Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new RangeError(`point ${i} has ${row.length} components, expected ${dim}`);
    data.set(row, i * dim);
  });
  return { count: rows.length, dim, data };
}

/** Point `i` as a plain array. */
export function pointAt(points: Points, i: number): number[] {
  return Array.from(points.data.subarray(i * points.dim, (i + 1) * points.dim));
}

/** The points of `a` followed by those of `b` (same dimension). */
export function concatPoints(a: Points, b: Points): Points {
  if (a.dim !== b.dim) throw new RangeError(`cannot join points of dimension ${a.dim} and ${b.dim}`);
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { count: a.count + b.count, dim: a.dim, data };
}

/** The points at the given indices, in that order. */
export function selectPoints(points: Points, indices: readonly number[]): Points {
  const { dim } = points;
  const data = new Float64Array(indices.length * dim);
  indices.forEach((index, i) => {
    data.set(points.data.subarray(index * dim, (index + 1) * dim), i * dim);
  });
  return { count: indices.length, dim, data };
}
