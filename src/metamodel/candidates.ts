function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += ((a[d] as number) - (b[d] as number)) ** 2;
  return sum;
}

/** Indices of the `count` largest values (ties and NaNs: lowest index first, NaN ranks last). */
export function topIndices(values: Float64Array, count: number): number[] {
  const value = (i: number) => (Number.isNaN(values[i]) ? Number.NEGATIVE_INFINITY : (values[i] as number));
  return Array.from(values.keys())
    .sort((a, b) => value(b) - value(a) || a - b)
    .slice(0, count);
}

/**
 * Greedy max–min distance picks among the candidates, away from everything already tried or picked
 * (ties: lowest index); with nothing tried yet, the first pick is nearest the centre of the cube.
 */
export function spaceFilling(
  candidates: readonly (readonly number[])[],
  occupied: readonly (readonly number[])[],
  wanted: number,
): number[] {
  const nearest = new Float64Array(candidates.length).fill(Number.POSITIVE_INFINITY);
  const update = (point: readonly number[]) => {
    candidates.forEach((c, j) => {
      nearest[j] = Math.min(nearest[j] as number, squaredDistance(c, point));
    });
  };
  for (const point of occupied) update(point);
  const chosen: number[] = [];
  while (chosen.length < Math.min(wanted, candidates.length)) {
    let best = -1;
    if (occupied.length === 0 && chosen.length === 0) {
      const centre = new Array<number>(candidates[0]?.length ?? 0).fill(0.5);
      let closest = Number.POSITIVE_INFINITY;
      candidates.forEach((c, j) => {
        const d = squaredDistance(c, centre);
        if (d < closest) [closest, best] = [d, j];
      });
    } else {
      let farthest = -1;
      nearest.forEach((d, j) => {
        if (d > farthest) [farthest, best] = [d, j];
      });
    }
    chosen.push(best);
    update(candidates[best] as readonly number[]);
    nearest[best] = -1;
  }
  return chosen;
}
