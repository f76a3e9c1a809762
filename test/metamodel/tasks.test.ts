import { describe, expect, it } from 'vitest';
import { normaliseScores } from '../../src/metamodel/normalise.js';
import { observationTask, tableTask, taskObjective } from '../../src/metamodel/tasks.js';
import { costPerHour, objectiveValue } from '../../src/objective/index.js';
import { rowMeasurement } from '../../src/profile/table.js';
import type { Observation } from '../../src/space/parameter.js';
import { familySpace, syntheticTask } from './synthetic-family.js';

describe('normaliseScores', () => {
  it('divides non-negative scores by the best (best = 1, zero stays zero)', () => {
    expect(normaliseScores([2, 4, 0, 8])).toEqual({ values: [0.25, 0.5, 0, 1], mode: 'ratio', best: 8 });
  });

  it('maps negative scores (a minimised positive metric) to min(value) / value', () => {
    const n = normaliseScores([-10, -20, -40]);
    expect(n.mode).toBe('inverse-ratio');
    expect(n.values).toEqual([1, 0.5, 0.25]);
  });

  it('falls back to min-max for mixed signs, and all ones for equal scores', () => {
    expect(normaliseScores([-1, 1, 0]).values).toEqual([0, 1, 0.5]);
    expect(normaliseScores([0, 0]).values).toEqual([1, 1]);
    expect(normaliseScores([])).toMatchObject({ values: [] });
  });
});

describe('tasks', () => {
  const table = syntheticTask(0);

  it('turns a profile table into a regression task: succeeded rows only, best = 1', () => {
    const objective = taskObjective('rps_per_cost');
    const task = tableTask(table, objective);
    const succeeded = table.rows.filter((r) => r.status === 'succeeded');
    expect(task.x).toHaveLength(succeeded.length);
    expect(task.infeasible).toHaveLength(table.rows.length - succeeded.length);
    expect(task.x[0]).toHaveLength(familySpace.dimension);
    expect(Math.max(...task.y)).toBe(1);
    expect(Math.min(...task.y)).toBeGreaterThan(0);
    const row = succeeded[0];
    if (!row) throw new Error('no succeeded row');
    const value = objectiveValue(objective, rowMeasurement(row), row.config);
    expect(value).toBeCloseTo((row.metrics.rps as number) / costPerHour(objective.pricing, row.config), 9);
    expect(task.y[0]).toBeCloseTo(value / task.best, 9);
  });

  it('supports raw metrics and minimised ones', () => {
    expect(Math.max(...tableTask(table, taskObjective('rps')).y)).toBe(1);
    const latency = taskObjective('p99Ms');
    expect(latency.goal).toBe('minimize');
    const task = tableTask(table, latency);
    expect(Math.max(...task.y)).toBe(1);
    expect(task.best).toBeLessThan(0);
  });

  it('normalises observations by the best observed so far and keeps failures aside', () => {
    const history: Observation[] = [
      { config: familySpace.configAt(0), status: 'succeeded', value: 5, score: 5 },
      { config: familySpace.configAt(1), status: 'succeeded', value: 10, score: 10 },
      { config: familySpace.configAt(2), status: 'infeasible' },
      { config: familySpace.configAt(3), status: 'failed' },
      { config: familySpace.configAt(4), status: 'running' },
    ];
    const task = observationTask(familySpace, history);
    expect(task.y).toEqual([0.5, 1]);
    expect(task.infeasible).toEqual([familySpace.encode(familySpace.configAt(2))]);
    expect(task.failed).toEqual([familySpace.encode(familySpace.configAt(3))]);
  });
});
