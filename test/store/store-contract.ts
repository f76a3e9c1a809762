import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import type { Store } from '../../src/store/store.js';
import { claimsContract } from './claims-contract.js';

/**
 * The rules every Store implementation keeps (see src/store/store.ts). Each implementation's test file
 * calls this with a factory that returns a fresh, empty store.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    const withStore = async (body: (store: Store) => Promise<void>) => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    };

    it('creates, lists and refuses a duplicate experiment', () =>
      withStore(async (store) => {
        const created = await store.createExperiment({ name: 'e1', document: { a: 1 }, baseDir: '/tmp' });
        expect(created).toMatchObject({ name: 'e1', document: { a: 1 }, baseDir: '/tmp', status: 'created' });
        await expect(store.createExperiment({ name: 'e1', document: {}, baseDir: '/' })).rejects.toThrow(
          ConflictError,
        );
        const list = await store.listExperiments();
        expect(list.map((e) => e.name)).toEqual(['e1']);
        expect(list[0]?.trialCounts).toEqual({
          pending: 0,
          running: 0,
          succeeded: 0,
          infeasible: 0,
          failed: 0,
        });
        expect(await store.getExperiment('nope')).toBeUndefined();
      }));

    it('keeps one trial per configuration and numbers trials in order', () =>
      withStore(async (store) => {
        await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
        const added = await store.addTrials('e', [
          { config: { a: 1 }, configKey: '[1]' },
          { config: { a: 2 }, configKey: '[2]' },
        ]);
        expect(added.map((t) => [t.seq, t.status, t.attempt])).toEqual([
          [1, 'pending', 0],
          [2, 'pending', 0],
        ]);
        await expect(store.addTrials('e', [{ config: { a: 2 }, configKey: '[2]' }])).rejects.toThrow(
          ConflictError,
        );
        await expect(
          store.addTrials('e', [
            { config: { a: 3 }, configKey: '[3]' },
            { config: { a: 3 }, configKey: '[3]' },
          ]),
        ).rejects.toThrow(ConflictError);
        // A rejected batch adds nothing.
        expect((await store.listTrials('e')).length).toBe(2);
        const third = await store.addTrials('e', [{ config: { a: 3 }, configKey: '[3]' }]);
        expect(third[0]?.seq).toBe(3);
        await expect(store.addTrials('missing', [{ config: {}, configKey: 'x' }])).rejects.toThrow(
          NotFoundError,
        );
      }));

    it('moves trials through their states and never modifies a finished one', () =>
      withStore(async (store) => {
        await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
        const [trial] = await store.addTrials('e', [{ config: { a: 1 }, configKey: '[1]' }]);
        const id = trial?.id as number;
        await expect(store.finishTrial(id, { status: 'succeeded' })).rejects.toThrow(ConflictError);
        const running = await store.startTrial(id, 'replay');
        expect(running).toMatchObject({ status: 'running', attempt: 1, runner: 'replay' });
        expect(running.startedAt).toBeDefined();
        const back = await store.requeueTrial(id, 'retry', { errorClass: 'crash', errorMessage: 'boom' });
        expect(back).toMatchObject({ status: 'pending', attempt: 1, errorClass: 'crash' });
        await store.startTrial(id, 'replay');
        const done = await store.finishTrial(id, {
          status: 'succeeded',
          objective: 12.5,
          score: 12.5,
          metrics: { rps: 12.5, p99Ms: 40 },
          limits: { cpuQuotaCores: 0.5 },
        });
        expect(done).toMatchObject({
          status: 'succeeded',
          attempt: 2,
          objective: 12.5,
          metrics: { rps: 12.5, p99Ms: 40 },
        });
        expect(done.limits).toEqual({ cpuQuotaCores: 0.5 });
        await expect(store.finishTrial(id, { status: 'failed' })).rejects.toThrow(ConflictError);
        await expect(store.requeueTrial(id, 'x')).rejects.toThrow(ConflictError);
        await expect(store.startTrial(id, 'replay')).rejects.toThrow(ConflictError);
        expect(await store.getTrial(id)).toEqual(done);
        await expect(store.startTrial(9999, 'replay')).rejects.toThrow(NotFoundError);
      }));

    it('returns snapshots that later writes do not change', () =>
      withStore(async (store) => {
        await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
        const [trial] = await store.addTrials('e', [{ config: { a: 1 }, configKey: '[1]' }]);
        await store.startTrial(trial?.id as number, 'r');
        expect(trial?.status).toBe('pending');
      }));

    it('records status, best trial and an event for every change', () =>
      withStore(async (store) => {
        await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
        const [trial] = await store.addTrials('e', [{ config: { a: 1 }, configKey: '[1]' }]);
        const id = trial?.id as number;
        await store.startTrial(id, 'r');
        await store.finishTrial(id, { status: 'succeeded', objective: 42, score: 42, metrics: { rps: 42 } });
        expect((await store.refreshBestTrial('e'))?.id).toBe(id);
        // The same best again records nothing.
        await store.refreshBestTrial('e');
        await store.setExperimentStatus('e', 'succeeded', 'budget spent');
        const experiment = await store.getExperiment('e');
        expect(experiment).toMatchObject({ status: 'succeeded', message: 'budget spent', bestTrialId: id });
        const events = await store.listEvents('e');
        expect(events.map((e) => e.type)).toEqual([
          'experiment-created',
          'trial-created',
          'trial-started',
          'trial-finished',
          'best-trial',
          'experiment-status',
        ]);
        expect(events[3]).toMatchObject({ trialId: id, data: { status: 'succeeded', objective: 42 } });
        const later = await store.listEvents('e', events[3]?.id);
        expect(later.map((e) => e.type)).toEqual(['best-trial', 'experiment-status']);
        const ofTrial = await store.listEvents('e', 0, id);
        expect(ofTrial.map((e) => e.type)).toEqual([
          'trial-created',
          'trial-started',
          'trial-finished',
          'best-trial',
        ]);
        expect(await store.listEvents('e', 0, id + 1)).toEqual([]);
        const summary = (await store.listExperiments())[0];
        expect(summary?.trialCounts.succeeded).toBe(1);
      }));

    it('updates the document and deletes an experiment with its trials', () =>
      withStore(async (store) => {
        await store.createExperiment({ name: 'e', document: { v: 1 }, baseDir: '/' });
        await store.addTrials('e', [{ config: { a: 1 }, configKey: '[1]' }]);
        await store.updateExperimentDocument('e', { v: 2 });
        expect((await store.getExperiment('e'))?.document).toEqual({ v: 2 });
        await store.deleteExperiment('e');
        expect(await store.getExperiment('e')).toBeUndefined();
        expect(await store.listTrials('e')).toEqual([]);
        await expect(store.deleteExperiment('e')).rejects.toThrow(NotFoundError);
        await expect(store.setExperimentStatus('e', 'running')).rejects.toThrow(NotFoundError);
      }));

    claimsContract(withStore);
  });
}
