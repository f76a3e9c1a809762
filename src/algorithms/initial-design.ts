import type { Config, ParameterValue } from '../space/parameter.js';
import type { Parameter, SearchSpace } from '../space/search-space.js';

/** How many numeric knobs the corner design spans when none are named (the paper's 2³ = 8 corners). */
export const DEFAULT_DESIGN_KNOBS = 3;

export interface CornerDesignOptions {
  /** Names of the numeric knobs whose min/max corners are taken. Default: the first three numeric knobs. */
  knobs?: readonly string[];
  /** At most this many configurations; fewer than the 2^k corners gives a spread-out subset. Default: all. */
  size?: number;
}

/** Splits a comma-separated list of knob names (`"cpu, MAX_BATCH_SIZE"`), dropping blanks. */
export function parseKnobList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** The knobs a corner design spans: the named ones (checked), or the first numeric ones in space order. */
export function designKnobs(space: SearchSpace, names?: readonly string[]): Parameter[] {
  if (!names || names.length === 0) {
    return space.parameters.filter((p) => p.scale !== 'one-hot').slice(0, DEFAULT_DESIGN_KNOBS);
  }
  const knobs: Parameter[] = [];
  for (const name of names) {
    const p = space.parameter(name);
    if (!p) throw new RangeError(`designKnobs: "${name}" is not a parameter of the search space`);
    if (p.scale === 'one-hot') throw new RangeError(`designKnobs: "${name}" is categorical, not numeric`);
    if (!knobs.includes(p)) knobs.push(p);
  }
  return knobs;
}

/**
 * The min/max corners of k numeric knobs, every other knob at its middle value (the lower middle for
 * an even number of values): Morphling's initial design, 2³ = 8 configurations for three main knobs.
 * Corners are listed in binary order with the first knob varying slowest (all minimums first).
 *
 * When `size` is below 2^k the subset is spread out deterministically: a regular two-level fractional
 * factorial on m = ⌈log₂ size⌉ base knobs, the others set by the parity of base-knob combinations
 * (highest-order interactions first; for k = 3, size 4 that is the half fraction where every two
 * configurations differ in two knobs), thinned further by greedy max–min Hamming distance if size is
 * not a power of two. Corners that coincide (a knob with one value) are listed once.
 */
export function cornerDesign(space: SearchSpace, options: CornerDesignOptions = {}): Config[] {
  const knobs = designKnobs(space, options.knobs);
  const k = knobs.length;
  const size = Math.max(0, Math.min(options.size ?? 2 ** k, 2 ** k));
  const rows = size >= 2 ** k ? fullFactorial(k) : spreadOut(fractionalFactorial(k, size), size);

  const middle: Record<string, ParameterValue> = {};
  for (const p of space.parameters)
    middle[p.name] = p.values[Math.floor((p.values.length - 1) / 2)] as ParameterValue;
  const seen = new Set<string>();
  const design: Config[] = [];
  for (const bits of rows) {
    const config: Record<string, ParameterValue> = { ...middle };
    knobs.forEach((p, i) => {
      config[p.name] = p.values[bits[i] ? p.values.length - 1 : 0] as ParameterValue;
    });
    const canonical = space.canonical(config);
    const key = space.key(canonical);
    if (!seen.has(key)) {
      seen.add(key);
      design.push(canonical);
    }
  }
  return design;
}

type Bits = readonly (0 | 1)[];

function fullFactorial(k: number): Bits[] {
  return Array.from({ length: 2 ** k }, (_, c) =>
    Array.from({ length: k }, (_, i) => ((c >> (k - 1 - i)) & 1) as 0 | 1),
  );
}

/** 2^m runs, m = ⌈log₂ size⌉: the first m knobs take all combinations, each other one a parity of them. */
function fractionalFactorial(k: number, size: number): Bits[] {
  const m = size <= 1 ? 0 : Math.ceil(Math.log2(size));
  // Generators: subsets of the base columns as bit masks, larger interactions first.
  const masks = Array.from({ length: 2 ** m - 1 }, (_, i) => i + 1).sort(
    (a, b) => popcount(b) - popcount(a) || a - b,
  );
  const generators = masks.filter((mask) => popcount(mask) >= 2);
  const singles = masks.filter((mask) => popcount(mask) === 1);
  const extra = Array.from(
    { length: k - m },
    (_, j) => generators[j] ?? singles[(j - generators.length) % Math.max(singles.length, 1)] ?? 0,
  );
  return fullFactorial(m).map((base) => {
    const baseMask = base.reduce<number>((mask, bit, i) => mask | (bit << (m - 1 - i)), 0);
    return [...base, ...extra.map((mask) => (popcount(mask & baseMask) % 2) as 0 | 1)];
  });
}

/** Greedy max–min Hamming-distance subset of `size` rows, starting from the first (ties: lowest index). */
function spreadOut(rows: Bits[], size: number): Bits[] {
  if (rows.length <= size) return rows;
  const chosen: Bits[] = [];
  const distance = rows.map(() => Number.POSITIVE_INFINITY);
  let next = 0;
  while (chosen.length < size) {
    const row = rows[next] as Bits;
    chosen.push(row);
    rows.forEach((other, i) => {
      distance[i] = Math.min(distance[i] as number, hamming(row, other));
    });
    next = distance.reduce((best, d, i) => (d > (distance[best] as number) ? i : best), 0);
  }
  return chosen;
}

function hamming(a: Bits, b: Bits): number {
  return a.reduce<number>((sum, bit, i) => sum + (bit === b[i] ? 0 : 1), 0);
}

function popcount(mask: number): number {
  let count = 0;
  for (let x = mask; x > 0; x >>= 1) count += x & 1;
  return count;
}

/**
 * The design's configurations still to try, while fewer trials than the design holds have succeeded:
 * up to `count`, skipping those in `excluded`, to which the picks are added.
 */
export function designPicks(
  space: SearchSpace,
  design: readonly Config[],
  succeeded: number,
  excluded: Set<string>,
  count: number,
): Config[] {
  const picks: Config[] = [];
  if (succeeded >= design.length) return picks;
  for (const config of design) {
    if (picks.length >= count) break;
    const key = space.key(config);
    if (excluded.has(key)) continue;
    excluded.add(key);
    picks.push(config);
  }
  return picks;
}

/** The corner design of the usual `initialDesign` and `designKnobs` settings (no knobs named: the first ones). */
export function settingsDesign(
  space: SearchSpace,
  settings: { initialDesign: number; designKnobs: readonly string[] },
): Config[] {
  return cornerDesign(space, {
    knobs: settings.designKnobs.length > 0 ? settings.designKnobs : undefined,
    size: settings.initialDesign,
  });
}
