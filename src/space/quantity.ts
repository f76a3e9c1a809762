/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5`, `512Mi`, `1G`) as plain numbers, so that
 * resource knobs written the Kubernetes way can be ordered, encoded and priced.
 * Hand-written: @kubernetes/client-node has no standalone quantity parser that runs on Node 20.
 */
const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]{0,2})$/;

/** The quantity's value in base units (cores for CPU, bytes for memory), or undefined if not a quantity. */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, digits, suffix] = match;
  const factor = SUFFIXES[suffix ?? ''];
  if (factor === undefined) return undefined;
  return Number(digits) * factor;
}
