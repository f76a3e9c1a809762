import { describe, expect, it } from 'vitest';
import { InfeasibleConfigError, TrialFaultError } from '../../src/errors.js';
import { measureLevel } from '../../src/loadgen/level.js';
import {
  type LevelSettings,
  levelSettingsSchema,
  type SearchSettings,
  type Slo,
  searchSettingsSchema,
  sloSchema,
} from '../../src/loadgen/options.js';
import { searchPeak } from '../../src/loadgen/peak-search.js';
import { kneeOf, type ServiceModel, SimulatedService } from './simulated-service.js';

const levelSettings: LevelSettings = levelSettingsSchema.parse({});

function search(
  model: ServiceModel,
  slo: Partial<Slo>,
  settings: Partial<SearchSettings> = {},
  signal?: AbortSignal,
) {
  const service = new SimulatedService(model);
  const fullSlo = sloSchema.parse(slo);
  const measure = (rate: number) => measureLevel(service, rate, levelSettings, fullSlo, signal);
  return { service, result: searchPeak(measure, searchSettingsSchema.parse(settings), fullSlo, signal) };
}

describe('searchPeak against a simulated service', () => {
  it.each([
    { capacity: 1000, baseMs: 2, boundMs: 20 },
    { capacity: 150, baseMs: 5, boundMs: 50 },
    { capacity: 7000, baseMs: 1, boundMs: 100 },
    { capacity: 333, baseMs: 10, boundMs: 1000 },
  ])(
    'finds the knee of capacity $capacity, base $baseMs ms, bound $boundMs ms within the precision',
    async ({ capacity, baseMs, boundMs }) => {
      const model = { capacity, baseMs };
      const { result } = search(model, { latencyMs: boundMs });
      const { peak, levels, stoppedBy } = await result;
      const knee = kneeOf(model, boundMs);
      expect(stoppedBy).toBe('precision');
      expect(peak.sloMet).toBe(true);
      expect(peak.achievedRps).toBeLessThanOrEqual(knee);
      expect(peak.achievedRps).toBeGreaterThanOrEqual(knee * (1 - 0.05));
      expect(levels.length).toBeLessThanOrEqual(14);
    },
  );

  it('ramps down when the initial rate already breaks the SLO', async () => {
    const model = { capacity: 200, baseMs: 10 };
    const { service, result } = search(model, { latencyMs: 100 }, { initialRate: 500 });
    const { peak } = await result;
    expect(service.started.slice(0, 3)).toEqual([500, 250, 125]);
    const knee = kneeOf(model, 100);
    expect(peak.achievedRps).toBeLessThanOrEqual(knee);
    expect(peak.achievedRps).toBeGreaterThanOrEqual(knee * 0.95);
  });

  it('reports the achieved throughput, not the offered rate, at the peak', async () => {
    const { result } = search({ capacity: 10_000, baseMs: 1, errorFraction: 0.005 }, { latencyMs: 1000 });
    const { peak } = await result;
    expect(peak.achievedRps).toBeLessThan(peak.offeredRps);
    expect(peak.errorRate).toBeGreaterThan(0);
  });

  it('stops at maxRate when the SLO still holds there', async () => {
    const { result } = search({ capacity: 1e6, baseMs: 1 }, { latencyMs: 100 }, { maxRate: 300 });
    const { peak, stoppedBy } = await result;
    expect(stoppedBy).toBe('max-rate');
    expect(peak.offeredRps).toBe(300);
  });

  it('stops when the level budget is spent', async () => {
    const { result } = search({ capacity: 1e6, baseMs: 1 }, { latencyMs: 100 }, { maxLevels: 3 });
    const { levels, stoppedBy, peak } = await result;
    expect(stoppedBy).toBe('level-budget');
    expect(levels.map((level) => level.offeredRps)).toEqual([50, 100, 200]);
    expect(peak.offeredRps).toBe(200);
  });

  it('throws InfeasibleConfigError naming the percentile, the bound and the measurement', async () => {
    const { result } = search(
      { capacity: 1000, baseMs: 30 },
      { latencyMs: 20, percentile: 95 },
      { initialRate: 100, minRate: 25 },
    );
    await expect(result).rejects.toThrow(InfeasibleConfigError);
    await expect(result).rejects.toThrow(/p95 <= 20 ms not met: measured p95 = 30\.\d ms even at 25 req\/s/);
  });

  it('throws InfeasibleConfigError when the error rate is always too high', async () => {
    const { result } = search(
      { capacity: 1000, baseMs: 1, errorFraction: 0.2 },
      { latencyMs: 100 },
      { initialRate: 400, minRate: 100 },
    );
    await expect(result).rejects.toThrow(/error rate <= 1% not met: measured 20% even at 100 req\/s/);
  });

  it('treats timeouts on every request as too slow, not as a fault', async () => {
    const { result } = search({ capacity: 1000, baseMs: 1, failAll: 'timeout' }, { latencyMs: 100 });
    await expect(result).rejects.toThrow(InfeasibleConfigError);
  });

  it.each([
    ['connection', 'unreachable'],
    ['status', 'all-errors'],
  ] as const)('throws TrialFaultError when every request fails with %s errors', async (kind, errorClass) => {
    const { service, result } = search({ capacity: 1000, baseMs: 1, failAll: kind }, { latencyMs: 100 });
    await expect(result).rejects.toSatisfy(
      (error) => error instanceof TrialFaultError && error.errorClass === errorClass,
    );
    // A broken target is recognised at the first level, not after a whole search.
    expect(service.started).toHaveLength(1);
  });

  it('stops with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    const { result } = search({ capacity: 1000, baseMs: 1 }, { latencyMs: 100 }, {}, controller.signal);
    await expect(result).rejects.toBe(reason);
  });
});

describe('searchPeak when a level fails once for a passing reason', () => {
  it('measures the rate that bounds the peak again, and climbs on when it holds the second time', async () => {
    const model = { capacity: 1000, baseMs: 2 };
    const service = new SimulatedService(model);
    const slo = sloSchema.parse({ latencyMs: 20 });
    let cold = true;
    const measure = async (rate: number) => {
      const level = await measureLevel(service, rate, levelSettings, slo);
      // The first level above 150 rps fails (a server warming up under load), whatever its rate.
      if (rate > 150 && cold) {
        cold = false;
        return { ...level, sloMet: false, p99Ms: 300, failedFast: true };
      }
      return level;
    };
    const { levels, peak, stoppedBy } = await searchPeak(
      measure,
      searchSettingsSchema.parse({ initialRate: 100 }),
      slo,
    );
    const at200 = levels.filter((level) => level.offeredRps === 200).map((level) => level.sloMet);
    expect(at200).toEqual([false, true]);
    expect(stoppedBy).toBe('precision');
    expect(peak.achievedRps).toBeGreaterThan(kneeOf(model, 20) * 0.95);
  });

  it('takes a failure found by bisection as the bound without measuring it again', async () => {
    const model = { capacity: 150, baseMs: 5 };
    const { result } = search(model, { latencyMs: 50 }, { initialRate: 100 });
    const { levels, peak } = await result;
    const failures = levels.filter((level) => !level.sloMet).map((level) => level.offeredRps);
    // 200 failed while climbing; the bisection found a lower failure, which stands.
    expect(failures[0]).toBe(200);
    expect(Math.min(...failures)).toBeLessThan(200);
    expect(new Set(failures).size).toBe(failures.length);
    expect(peak.achievedRps).toBeLessThanOrEqual(kneeOf(model, 50));
    expect(peak.achievedRps).toBeGreaterThanOrEqual(kneeOf(model, 50) * 0.95);
  });

  it('measures a failure met while climbing again when everything below it held', async () => {
    const service = new SimulatedService({ capacity: 10_000, baseMs: 1 });
    const slo = sloSchema.parse({ latencyMs: 100 });
    // A knee at 195: every bisection step below the climb's failure at 200 succeeds.
    const measure = async (rate: number) => {
      const level = await measureLevel(service, rate, levelSettings, slo);
      return rate < 195 ? level : { ...level, sloMet: false, p99Ms: 150 };
    };
    const { levels, peak } = await searchPeak(measure, searchSettingsSchema.parse({ initialRate: 100 }), slo);
    const at200 = levels.filter((level) => level.offeredRps === 200).map((level) => level.sloMet);
    expect(at200).toEqual([false, false]);
    expect(peak.offeredRps).toBeLessThan(195);
    expect(peak.offeredRps).toBeGreaterThan(195 * 0.95);
  });
});

describe('searchPeak when the client falls behind', () => {
  it('measures a failing level again when the client was late, and keeps the second verdict', async () => {
    const model = { capacity: 1000, baseMs: 2 };
    const service = new SimulatedService(model);
    const slo = sloSchema.parse({ latencyMs: 20 });
    let hiccups = 1;
    const measure = async (rate: number) => {
      const level = await measureLevel(service, rate, levelSettings, slo);
      // One level at 200 rps looks failed because the sender stalled for 30 ms (a GC pause, say).
      if (rate === 200 && hiccups-- > 0) return { ...level, sloMet: false, p99Ms: 35, maxSendLagMs: 30 };
      return level;
    };
    const { levels, peak } = await searchPeak(measure, searchSettingsSchema.parse({ initialRate: 100 }), slo);
    expect(levels.filter((l) => l.discarded).map((l) => l.offeredRps)).toEqual([200]);
    expect(levels.find((l) => l.offeredRps === 200 && !l.discarded)?.sloMet).toBe(true);
    expect(peak.achievedRps).toBeGreaterThan(kneeOf(model, 20) * 0.95);
  });
});
