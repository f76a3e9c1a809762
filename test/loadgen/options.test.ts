import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { parseOptions, peakSearchOptionsSchema, requestSchema } from '../../src/loadgen/options.js';

describe('options', () => {
  it('fills defaults for a minimal peak search', () => {
    const options = peakSearchOptionsSchema.parse({ baseUrl: 'http://127.0.0.1:8080' });
    expect(options.slo).toEqual({ percentile: 99, latencyMs: 1000, maxErrorRate: 0.01 });
    expect(options).toMatchObject({
      windowsRequired: 3,
      stabilityTolerance: 0.1,
      precision: 0.05,
      growthFactor: 2,
    });
  });

  it('names each bad field in a SpecError', () => {
    const parse = () =>
      parseOptions(
        peakSearchOptionsSchema,
        {
          baseUrl: 'http://127.0.0.1:1',
          windowMs: -1,
          request: {
            itemsPerRequest: 4,
            source: { kind: 'signature', inputs: [{ name: 'x', dtype: 'float32', shape: [3] }] },
          },
        },
        'load',
      );
    let caught: unknown;
    try {
      parse();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const paths = (caught as SpecError).problems.map((problem) => problem.path);
    expect(paths).toContain('load.windowMs');
    expect(paths).toContain('load.request.source.inputs.0.shape');
  });

  it('rejects a body on a GET request', () => {
    const parsed = requestSchema.safeParse({ method: 'GET', source: { kind: 'json', body: {} } });
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['a GET request cannot carry a body']);
  });

  it('rejects limits that contradict each other', () => {
    const parsed = peakSearchOptionsSchema.safeParse({
      baseUrl: 'http://127.0.0.1:1',
      initialRate: 10,
      minRate: 20,
      windowsRequired: 4,
      maxWindows: 3,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['maxWindows', 'minRate']);
  });
});
