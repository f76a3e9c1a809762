import { xoroshiro128plus } from 'pure-rand';

/** A seeded uniform [0, 1) generator for test data. */
export function seededUniform(seed: number): () => number {
  const rng = xoroshiro128plus(seed);
  return () => (rng.unsafeNext() >>> 0) / 4294967296;
}
