import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/controller/run-experiment.js';
import { ConflictError, TrialFaultError } from '../../src/errors.js';
import { costPerHour } from '../../src/objective/pricing.js';
import { readProfileTable } from '../../src/profile/table.js';
import { replay } from '../../src/runners/replay.js';
import type { Runner } from '../../src/runners/runner.js';
import { syntheticSetup } from './synthetic-setup.js';

const { table, freshStore, experimentWith } = syntheticSetup('controller');

describe('runExperiment', () => {
  it('grid with a budget equal to the space size finds the true optimum of the table', async () => {
    const store = await freshStore();
    const experiment = experimentWith({ maxNumTrials: 144 });
    const result = await runExperiment({ store, experiment });
    const truth = (await readProfileTable(table)).best((row) => row.metrics.rps ?? 0);
    expect(result.status).toBe('succeeded');
    expect(result.message).toMatch(/every configuration of the space was tried/);
    expect(result.trials).toHaveLength(144);
    expect(result.best?.config).toEqual(truth?.config);
    expect(result.best?.objective).toBe(truth?.metrics.rps);
    expect(result.trials.filter((t) => t.status === 'infeasible')).toHaveLength(4 * 2 * 2);
    expect((await store.getExperiment('synthetic'))?.bestTrialId).toBe(result.best?.id);
    await store.close();
  });

  it('optimises rps per cost with the price table', async () => {
    const store = await freshStore();
    const experiment = experimentWith({
      maxNumTrials: 144,
      objective: { objectiveMetricName: 'rps_per_cost' },
    });
    const result = await runExperiment({ store, experiment });
    const rows = (await readProfileTable(table)).rows.filter((r) => r.status === 'succeeded');
    const value = (r: (typeof rows)[number]) =>
      (r.metrics.rps ?? 0) / costPerHour(experiment.objective.pricing, r.config);
    const best = rows.reduce((a, b) => (value(b) > value(a) ? b : a));
    expect(result.best?.config).toEqual(best.config);
    expect(result.best?.objective).toBeCloseTo(value(best));
    await store.close();
  });

  it('runs up to `parallelism` trials at once and never measures a config twice', async () => {
    const store = await freshStore();
    const experiment = experimentWith({
      maxNumTrials: 12,
      parallelism: 3,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 3 }] },
      runner: { name: 'replay', settings: { table, delayMs: 30 } },
    });
    let running = 0;
    let peak = 0;
    await runExperiment({
      store,
      experiment,
      onEvent: (event) => {
        if (event.type === 'trial-started') peak = Math.max(peak, ++running);
        if (event.type === 'trial-finished') running--;
      },
    });
    const trials = await store.listTrials('synthetic');
    expect(peak).toBe(3);
    expect(trials).toHaveLength(12);
    expect(new Set(trials.map((t) => t.configKey)).size).toBe(12);
    await store.close();
  });

  it('stops on abort, then resumes without repeating finished work', async () => {
    const store = await freshStore();
    const experiment = experimentWith({
      maxNumTrials: 10,
      parallelism: 2,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 5 }] },
      runner: { name: 'replay', settings: { table, delayMs: 40 } },
    });
    const abort = new AbortController();
    const first = await runExperiment({
      store,
      experiment,
      signal: abort.signal,
      onEvent: (event) => {
        if (event.type === 'trial-finished' && event.done === 4) abort.abort();
      },
    });
    expect(first.status).toBe('stopped');
    const before = await store.listTrials('synthetic');
    const finishedBefore = before.filter((t) => t.status !== 'pending');
    expect(finishedBefore.length).toBeGreaterThanOrEqual(4);
    expect(before.some((t) => t.status === 'running')).toBe(false);

    const second = await runExperiment({ store, experiment });
    expect(second.status).toBe('succeeded');
    const after = await store.listTrials('synthetic');
    expect(after).toHaveLength(10);
    expect(new Set(after.map((t) => t.configKey)).size).toBe(10);
    for (const t of finishedBefore) expect(after.find((a) => a.id === t.id)).toEqual(t);
    // The same seed gives the same sequence: an uninterrupted run measures the same configs.
    const store2 = await freshStore();
    await runExperiment({ store: store2, experiment });
    const uninterrupted = (await store2.listTrials('synthetic')).map((t) => t.configKey).sort();
    expect(after.map((t) => t.configKey).sort()).toEqual(uninterrupted);
    await store.close();
    await store2.close();
  });

  it('retries a trial that failed for a reason outside its configuration', async () => {
    const store = await freshStore();
    const experiment = experimentWith({ maxNumTrials: 3, maxTrialAttempts: 2 });
    const real = await replay.create({ table, delayMs: 0 }, experiment);
    const flaky: Runner = {
      name: 'flaky-replay',
      async start(request) {
        if (request.attempt === 1) throw new TrialFaultError('server crashed (injected)', 'crash');
        if (request.trialId === 3) throw new TrialFaultError('crashed again (injected)', 'crash');
        return real.start(request);
      },
    };
    const result = await runExperiment({ store, experiment, runner: flaky });
    expect(result.trials.map((t) => [t.status, t.attempt])).toEqual([
      ['succeeded', 2],
      ['succeeded', 2],
      ['failed', 2],
    ]);
    expect(result.trials[2]).toMatchObject({ errorClass: 'crash', errorMessage: 'crashed again (injected)' });
    const events = await store.listEvents('synthetic');
    expect(events.filter((e) => e.type === 'trial-requeued')).toHaveLength(3);
    await store.close();
  });

  it('measures a disturbed trial again without using up its attempts', async () => {
    const store = await freshStore();
    const experiment = experimentWith({ maxNumTrials: 1, maxTrialAttempts: 2 });
    const real = await replay.create({ table, delayMs: 0 }, experiment);
    const disturbed = () =>
      new TrialFaultError('other processes used 0.9 cores (injected)', 'noisy-machine', {
        countsAsAttempt: false,
      });
    const noisy: Runner = {
      name: 'noisy-replay',
      async start(request) {
        // Three disturbed tries, one crash (counted: attempt 1 of 2), then a good measurement.
        if (request.attempt <= 3) throw disturbed();
        if (request.attempt === 4) throw new TrialFaultError('server crashed (injected)', 'crash');
        return real.start(request);
      },
    };
    const result = await runExperiment({ store, experiment, runner: noisy });
    expect(result.trials.map((t) => [t.status, t.attempt])).toEqual([['succeeded', 5]]);
    const reasons = (await store.listEvents('synthetic'))
      .filter((e) => e.type === 'trial-requeued')
      .map((e) => e.data.reason);
    expect(reasons).toEqual([
      'measuring again: other processes used 0.9 cores (injected)',
      'measuring again: other processes used 0.9 cores (injected)',
      'measuring again: other processes used 0.9 cores (injected)',
      'attempt 1 of 2 failed: server crashed (injected)',
    ]);
    await store.close();
  });

  it('applies stop rules', async () => {
    const store = await freshStore();
    const target = await runExperiment({
      store,
      experiment: experimentWith({ maxNumTrials: 144, stop: { targetObjective: 30 } }),
    });
    expect(target.message).toMatch(/reached the target objective 30/);
    expect(target.best?.objective).toBeGreaterThanOrEqual(30);
    expect(target.trials.length).toBeLessThan(144);
    const store2 = await freshStore();
    const stale = await runExperiment({
      store: store2,
      experiment: experimentWith({ maxNumTrials: 144, stop: { noImprovementTrials: 5 } }),
    });
    expect(stale.message).toMatch(/no improvement in the last 5 trials/);
    await store.close();
    await store2.close();
  });

  it('refuses to resume an experiment whose spec now measures something else, but allows a larger budget', async () => {
    const store = await freshStore();
    await runExperiment({ store, experiment: experimentWith({ maxNumTrials: 3 }) });
    await expect(
      runExperiment({
        store,
        experiment: experimentWith({ maxNumTrials: 3, objective: { objectiveMetricName: 'rps_per_cost' } }),
      }),
    ).rejects.toThrow(ConflictError);
    const more = await runExperiment({ store, experiment: experimentWith({ maxNumTrials: 5 }) });
    expect(more.trials).toHaveLength(5);
    await store.close();
  });
});
