import type { ParameterSpec } from '../space/parameter.js';
import { type Parameter, SearchSpace } from '../space/search-space.js';

/**
 * Why a network trained on one search space cannot score another: the differences that change the
 * unit-cube encoding (knob names and order, the values of each knob, their scale). Empty when the two
 * encode every configuration identically. Spellings do not matter (`"1"` and `1` are the same value).
 */
export function spaceDifferences(trained: readonly ParameterSpec[], actual: SearchSpace): string[] {
  let expected: SearchSpace;
  try {
    expected = new SearchSpace(trained);
  } catch (error) {
    return [`the recorded space is not valid (${(error as Error).message})`];
  }
  const names = (space: SearchSpace) => space.parameters.map((p) => p.name).join(', ');
  if (names(expected) !== names(actual)) {
    return [`knobs differ: trained on [${names(expected)}], this space has [${names(actual)}]`];
  }
  const differences: string[] = [];
  expected.parameters.forEach((p, i) => {
    const q = actual.parameters[i] as Parameter;
    const values = (x: Parameter) => (x.magnitudes ?? x.values).map(String).join(', ');
    if (values(p) !== values(q)) {
      differences.push(
        `knob "${p.name}": trained on values [${p.values.join(', ')}], this space has [${q.values.join(', ')}]`,
      );
    } else if (p.scale !== q.scale) {
      differences.push(`knob "${p.name}": trained with a ${p.scale} scale, this space uses ${q.scale}`);
    }
  });
  return differences;
}

/** Throws an Error naming every difference when `actual` does not encode like the trained space. */
export function assertSameSpace(trained: readonly ParameterSpec[], actual: SearchSpace, what: string): void {
  const differences = spaceDifferences(trained, actual);
  if (differences.length > 0) {
    throw new Error(
      `${what} was trained for a different search space, so it cannot score this one:\n  - ${differences.join('\n  - ')}`,
    );
  }
}
