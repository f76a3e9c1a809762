import { describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../../src/space/parameter.js';
import type { TrialRecord, TrialStatus } from '../../src/store/records.js';
import {
  convergence,
  formatNumber,
  heatmap,
  knobValues,
  loadCurvePoints,
  sortTrials,
  variableKnobs,
} from '../../src/ui/data.js';
import { syntheticLoadCurve } from './load-curve.js';

const SPACE: ParameterSpec[] = [
  {
    name: 'cpu',
    category: 'resource',
    parameterType: 'discrete',
    feasibleSpace: { list: ['1', '500m', '2'] },
  },
  { name: 'batch', category: 'env', parameterType: 'discrete', feasibleSpace: { list: [1, 4, 16] } },
  { name: 'mode', category: 'args', parameterType: 'categorical', feasibleSpace: { list: ['fast', 'safe'] } },
  { name: 'fixed', category: 'env', parameterType: 'int', feasibleSpace: { min: 1, max: 1 } },
];

let nextId = 1;
function trial(
  seq: number,
  status: TrialStatus,
  config: Record<string, string | number>,
  objective?: number,
  extra: Partial<TrialRecord> = {},
): TrialRecord {
  return {
    id: nextId++,
    experiment: 'e',
    seq,
    config,
    configKey: JSON.stringify(config),
    status,
    attempt: 1,
    createdAt: '2024-01-01T00:00:00.000Z',
    ...(objective === undefined ? {} : { objective, metrics: { rps: objective } }),
    ...extra,
  };
}

describe('convergence', () => {
  const trials = [
    trial(3, 'succeeded', { cpu: '1' }, 5),
    trial(1, 'succeeded', { cpu: '500m' }, 10),
    trial(2, 'infeasible', { cpu: '2' }),
    trial(4, 'succeeded', { cpu: '2' }, 12),
    trial(5, 'running', { cpu: '2' }),
    trial(6, 'failed', { cpu: '2' }),
  ];

  it('gives the best objective among finished trials numbered up to each one, in trial order', () => {
    expect(convergence(trials, 'maximize')).toEqual([
      { seq: 1, status: 'succeeded', objective: 10, best: 10, bestSeq: 1 },
      { seq: 2, status: 'infeasible', best: 10, bestSeq: 1 },
      { seq: 3, status: 'succeeded', objective: 5, best: 10, bestSeq: 1 },
      { seq: 4, status: 'succeeded', objective: 12, best: 12, bestSeq: 4 },
      { seq: 6, status: 'failed', best: 12, bestSeq: 4 },
    ]);
  });

  it('follows the goal when minimising, and the stored score when there is one', () => {
    expect(convergence(trials, 'minimize').map((p) => p.best)).toEqual([10, 10, 5, 5, 5]);
    const scored = [
      trial(1, 'succeeded', {}, 10, { score: 1 }),
      trial(2, 'succeeded', {}, 20, { score: 0.5 }),
    ];
    expect(convergence(scored, 'maximize').map((p) => p.bestSeq)).toEqual([1, 1]);
  });

  it('has no best before the first success', () => {
    expect(convergence([trial(1, 'failed', {}), trial(2, 'succeeded', {}, 3)], 'maximize')).toEqual([
      { seq: 1, status: 'failed' },
      { seq: 2, status: 'succeeded', objective: 3, best: 3, bestSeq: 2 },
    ]);
  });
});

describe('knob values', () => {
  it('orders a small space by magnitude, appends measured strays and skips single-valued knobs', () => {
    expect(knobValues('cpu', SPACE, [])).toEqual(['500m', '1', '2']);
    expect(knobValues('batch', SPACE, [trial(1, 'succeeded', { batch: 64 })])).toEqual([
      '1',
      '4',
      '16',
      '64',
    ]);
    expect(knobValues('mode', SPACE, [])).toEqual(['fast', 'safe']);
    expect(variableKnobs(SPACE, [])).toEqual(['cpu', 'batch', 'mode']);
  });

  it('lists only the measured values of a large range', () => {
    const big: ParameterSpec[] = [
      { name: 'n', category: 'env', parameterType: 'int', feasibleSpace: { min: 1, max: 1000 } },
    ];
    const trials = [trial(1, 'succeeded', { n: 300 }), trial(2, 'succeeded', { n: 7 })];
    expect(knobValues('n', big, trials)).toEqual(['7', '300']);
  });
});

describe('heatmap', () => {
  const trials = [
    trial(1, 'succeeded', { cpu: '500m', batch: 1, mode: 'fast' }, 10),
    trial(2, 'succeeded', { cpu: '500m', batch: 1, mode: 'safe' }, 30),
    trial(3, 'succeeded', { cpu: '500m', batch: 1, mode: 'fast', fixed: 1 }, 20),
    trial(4, 'infeasible', { cpu: '2', batch: 16, mode: 'fast' }),
    trial(5, 'failed', { cpu: '2', batch: 16, mode: 'safe' }),
    trial(6, 'infeasible', { cpu: '2', batch: 16, mode: 'safe', fixed: 1 }),
    trial(7, 'infeasible', { cpu: '1', batch: 4, mode: 'fast' }),
    trial(8, 'succeeded', { cpu: '1', batch: 4, mode: 'safe' }, 5),
    trial(9, 'running', { cpu: '2', batch: 1, mode: 'safe' }),
  ];

  it('keeps the best objective over the other knobs, measured configurations only', () => {
    const map = heatmap(trials, SPACE, 'cpu', 'batch', 'maximize');
    expect(map.x).toEqual(['500m', '1', '2']);
    expect(map.y).toEqual(['1', '4', '16']);
    expect(map.cells).toEqual([
      { x: 0, y: 0, objective: 30, seq: 2, trials: 3 },
      { x: 1, y: 1, objective: 5, seq: 8, trials: 1 },
    ]);
    // The running trial at (2, 1) is not a measurement; (1, 4) had a success, so it is not a failed cell.
    expect(map.failed).toEqual([{ x: 2, y: 2, status: 'infeasible', trials: 3 }]);
    expect([map.min, map.max]).toEqual([5, 30]);
  });

  it('takes the lowest objective when minimising', () => {
    const map = heatmap(trials, SPACE, 'cpu', 'batch', 'minimize');
    expect(map.cells[0]).toMatchObject({ objective: 10, seq: 1 });
  });

  it('calls a cell failed when most of its trials failed', () => {
    const map = heatmap(
      [trial(1, 'failed', { cpu: '1', batch: 1 }), trial(2, 'failed', { cpu: '1', batch: 4 })],
      SPACE,
      'mode',
      'cpu',
      'maximize',
    );
    expect(map.cells).toEqual([]);
    expect(map.min).toBeUndefined();
    expect(map.failed).toEqual([]); // no `mode` in these configs: nothing to place
    const placed = heatmap([trial(1, 'failed', { cpu: '1', batch: 1 })], SPACE, 'batch', 'cpu', 'maximize');
    expect(placed.failed).toEqual([{ x: 0, y: 1, status: 'failed', trials: 1 }]);
  });
});

describe('load curve', () => {
  it('sorts levels by offered load and leaves out discarded and malformed ones', () => {
    const curve: unknown[] = [
      {
        offeredRps: 100,
        achievedRps: 99,
        p99Ms: 20,
        sloPercentileMs: 20,
        errorRate: 0,
        sloMet: true,
        stable: true,
      },
      { offeredRps: 400, achievedRps: 250, p99Ms: 900, sloMet: false },
      { offeredRps: 200, achievedRps: 190, p99Ms: 40, discarded: true },
      { offeredRps: 200, achievedRps: 198, p99Ms: 45, sloMet: true },
      null,
      { offeredRps: 'x', achievedRps: 1 },
    ];
    expect(loadCurvePoints(curve)).toEqual([
      {
        offeredRps: 100,
        achievedRps: 99,
        p99Ms: 20,
        sloPercentileMs: 20,
        errorRate: 0,
        sloMet: true,
        stable: true,
        order: 1,
      },
      { offeredRps: 200, achievedRps: 198, p99Ms: 45, sloMet: true, order: 4 },
      { offeredRps: 400, achievedRps: 250, p99Ms: 900, sloMet: false, order: 2 },
    ]);
    expect(loadCurvePoints(undefined)).toEqual([]);
  });

  it('reads the load generator’s LoadLevel records', () => {
    const points = loadCurvePoints(syntheticLoadCurve(100));
    expect(points.map((p) => p.offeredRps)).toEqual([25, 50, 100, 112.5, 125, 150, 200]);
    expect(points.every((p) => p.p99Ms !== undefined && p.sloMet !== undefined)).toBe(true);
  });
});

describe('trial table sorting', () => {
  const trials = [
    trial(1, 'succeeded', { cpu: '2' }, 10),
    trial(2, 'failed', { cpu: '500m' }),
    trial(3, 'succeeded', { cpu: '1' }, 30),
    trial(4, 'running', { cpu: '500m' }),
  ];
  const seqs = (list: TrialRecord[]) => list.map((t) => t.seq);

  it('sorts knob values by magnitude and keeps missing values last either way', () => {
    expect(seqs(sortTrials(trials, 'config:cpu', 'asc'))).toEqual([2, 4, 3, 1]);
    expect(seqs(sortTrials(trials, 'config:cpu', 'desc'))).toEqual([1, 3, 2, 4]);
    expect(seqs(sortTrials(trials, 'objective', 'desc'))).toEqual([3, 1, 2, 4]);
    expect(seqs(sortTrials(trials, 'objective', 'asc'))).toEqual([1, 3, 2, 4]);
    expect(seqs(sortTrials(trials, 'metric:rps', 'asc'))).toEqual([1, 3, 2, 4]);
    expect(seqs(sortTrials(trials, 'status', 'asc'))).toEqual([4, 1, 3, 2]);
    expect(seqs(sortTrials(trials, 'seq', 'desc'))).toEqual([4, 3, 2, 1]);
  });
});

describe('formatting', () => {
  it('rounds to four significant digits', () => {
    expect(formatNumber(473.8123)).toBe('473.8');
    expect(formatNumber(123456)).toBe('123,500');
    expect(formatNumber(0.0001)).toBe('1.00e-4');
    expect(formatNumber(undefined)).toBe('—');
  });
});
