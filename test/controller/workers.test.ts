import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/controller/run-experiment.js';
import { runWorker } from '../../src/controller/run-worker.js';
import { holderIsDead, workerIdentity } from '../../src/controller/worker-identity.js';
import { peakRunningFromEvents, peakRunningFromTimes } from '../helpers/concurrency.js';
import { syntheticSetup } from './synthetic-setup.js';

// Workers in this process, on SQLite: the claim loop's rules without starting processes. The same
// rules across processes and PostgreSQL are in test/cli/worker.test.ts.
const { dir, table, freshStore, experimentWith } = syntheticSetup('workers');

describe('workers sharing an experiment', () => {
  it("re-runs a dead worker's trial once its lease expires, and measures every configuration once", async () => {
    const store = await freshStore();
    const experiment = experimentWith({
      maxNumTrials: 6,
      parallelism: 2,
      runner: { name: 'replay', settings: { table, delayMs: 40 } },
    });
    await store.createExperiment({ name: 'synthetic', document: experiment.document, baseDir: dir });
    await store.setExperimentStatus('synthetic', 'running');
    const config = experiment.space.configAt(0);
    await store.addTrials('synthetic', [{ config, configKey: experiment.space.key(config) }]);
    // A worker on another machine claimed it and died: nothing here can tell, only its lease ends.
    const orphan = await store.claimTrial('synthetic', {
      worker: 'gone',
      token: 'another-machine/1/1/x',
      runner: 'replay',
      parallelism: 2,
      leaseMs: 500,
    });
    const result = await runWorker({
      store,
      experiment: 'synthetic',
      identity: workerIdentity('w1'),
      slots: 2,
      lease: { leaseMs: 5_000, pollMs: 20 },
    });

    expect(result.experiments).toEqual([
      { name: 'synthetic', status: 'succeeded', message: 'the budget of 6 trials is spent' },
    ]);
    const trials = await store.listTrials('synthetic');
    expect(trials).toHaveLength(6);
    expect(new Set(trials.map((t) => t.configKey)).size).toBe(6);
    expect(trials.every((t) => t.finishedAt !== undefined && t.claimedBy === 'w1')).toBe(true);
    expect(trials[0]).toMatchObject({ id: orphan?.id, attempt: 2 });
    const events = await store.listEvents('synthetic');
    const requeue = events.find((e) => e.type === 'trial-requeued');
    expect(requeue?.data.reason).toMatch(/^the lease of worker gone expired at /);
    expect(Date.parse(requeue?.at ?? '') - Date.parse(orphan?.startedAt ?? '')).toBeGreaterThanOrEqual(490);
    // The dead worker's trial held one of the two slots until its lease ended.
    expect(peakRunningFromEvents(events)).toBe(2);
    expect(peakRunningFromTimes(trials)).toBeLessThanOrEqual(2);
    expect((await store.getExperiment('synthetic'))?.status).toBe('succeeded');
    await store.close();
  });

  it('lets `run` with no slots coordinate while workers run every trial', async () => {
    const store = await freshStore();
    const experiment = experimentWith({
      maxNumTrials: 8,
      parallelism: 3,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 4 }] },
      runner: { name: 'replay', settings: { table, delayMs: 30 } },
    });
    const lease = { leaseMs: 5_000, pollMs: 20 };
    const run = runExperiment({ store, experiment, slots: 0, lease });
    const workers = ['a', 'b'].map((name) =>
      runWorker({ store, experiment: 'synthetic', identity: workerIdentity(name), slots: 2, lease }),
    );
    const [result, ...left] = await Promise.all([run, ...workers]);

    expect(result.status).toBe('succeeded');
    expect(result.message).toBe('the budget of 8 trials is spent');
    expect(result.trials).toHaveLength(8);
    expect(new Set(result.trials.map((t) => t.configKey)).size).toBe(8);
    expect(new Set(result.trials.map((t) => t.claimedBy))).toEqual(new Set(['a', 'b']));
    expect(left.map((w) => w.experiments[0]?.status)).toEqual(['succeeded', 'succeeded']);
    const events = await store.listEvents('synthetic');
    expect(peakRunningFromEvents(events)).toBeLessThanOrEqual(3);
    expect(events.filter((e) => e.type === 'trial-finished')).toHaveLength(8);
    // One process recorded the end; the others found it recorded.
    expect(
      events.filter((e) => e.type === 'experiment-status' && e.data.status === 'succeeded'),
    ).toHaveLength(1);
    // The same seed alone picks the same configurations: workers change who measures, not what.
    const alone = await freshStore();
    const reference = await runExperiment({ store: alone, experiment });
    expect(result.trials.map((t) => t.configKey).sort()).toEqual(
      reference.trials.map((t) => t.configKey).sort(),
    );
    await alone.close();
    await store.close();
  });

  it('serves every running experiment when given none, and hands its trial back when stopped', async () => {
    const store = await freshStore();
    const lease = { leaseMs: 5_000, pollMs: 20 };
    for (const name of ['first', 'second']) {
      const experiment = experimentWith({ maxNumTrials: 3 });
      await store.createExperiment({
        name,
        document: { ...experiment.document, metadata: { name } },
        baseDir: dir,
      });
      await store.setExperimentStatus(name, 'running');
    }
    const slow = experimentWith({
      maxNumTrials: 3,
      runner: { name: 'replay', settings: { table, delayMs: 60_000 } },
    });
    await store.createExperiment({
      name: 'slow',
      document: { ...slow.document, metadata: { name: 'slow' } },
      baseDir: dir,
    });
    const stop = new AbortController();
    const worker = runWorker({
      store,
      signal: stop.signal,
      lease,
      onEvent: (event) => {
        // Once the slow experiment's first trial runs, the others are done: stop mid-trial.
        if (event.type === 'trial-started' && event.trial.experiment === 'slow') stop.abort();
      },
    });
    for (;;) {
      const done = (await store.listExperiments()).filter((e) => e.status === 'succeeded').length;
      if (done === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await store.setExperimentStatus('slow', 'running');
    const result = await worker;

    expect(result.experiments).toEqual([
      { name: 'first', status: 'succeeded', message: 'the budget of 3 trials is spent' },
      { name: 'second', status: 'succeeded', message: 'the budget of 3 trials is spent' },
      { name: 'slow', status: 'running', message: 'this worker was stopped' },
    ]);
    const [handedBack] = await store.listTrials('slow');
    expect(handedBack).toMatchObject({ status: 'pending', attempt: 1 });
    expect(handedBack?.claimedBy).toBeUndefined();
    await store.close();
  });

  it('re-joins with the stored document when a resumed run raises the budget', async () => {
    const store = await freshStore();
    const replayed = { name: 'replay', settings: { table, delayMs: 50 } };
    const experiment = experimentWith({ maxNumTrials: 3, runner: replayed });
    await store.createExperiment({ name: 'synthetic', document: experiment.document, baseDir: dir });
    await store.setExperimentStatus('synthetic', 'running');
    let raised: Promise<void> | undefined;
    const result = await runWorker({
      store,
      experiment: 'synthetic',
      lease: { leaseMs: 5_000, pollMs: 20 },
      onEvent: (event) => {
        if (event.type === 'trial-started' && !raised) {
          const larger = experimentWith({ maxNumTrials: 6, runner: replayed });
          raised = store.updateExperimentDocument('synthetic', larger.document);
        }
      },
    });
    await raised;
    expect(result.experiments).toEqual([
      { name: 'synthetic', status: 'succeeded', message: 'the budget of 6 trials is spent' },
    ]);
    expect(await store.listTrials('synthetic')).toHaveLength(6);
    await store.close();
  });

  it('tells a dead process of this machine from one it cannot see', () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid as number;
    const [machine, namespace] = workerIdentity().token.split('/');
    expect(holderIsDead(`${machine}/${namespace}/${exited}/x`)).toBe(true);
    expect(holderIsDead(workerIdentity().token)).toBe(false);
    expect(holderIsDead(`another-machine/${namespace}/${exited}/x`)).toBe(false);
    expect(holderIsDead(`${machine}/another-namespace/${exited}/x`)).toBe(false);
  });
});
