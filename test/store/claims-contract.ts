import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { ClaimLostError, NotFoundError } from '../../src/errors.js';
import type { TrialClaim } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

/**
 * The claim and lease rules of src/store/store.ts, part of the store contract: what lets workers on
 * several machines share one experiment. Called inside storeContract's describe.
 */
export function claimsContract(withStore: (body: (store: Store) => Promise<void>) => Promise<void>): void {
  const claim = (worker: string, overrides: Partial<TrialClaim> = {}): TrialClaim => ({
    worker,
    token: `${worker}-token`,
    runner: 'replay',
    parallelism: 10,
    leaseMs: 60_000,
    ...overrides,
  });
  const withTrials = (count: number, body: (store: Store) => Promise<void>) =>
    withStore(async (store) => {
      await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
      await store.addTrials(
        'e',
        Array.from({ length: count }, (_, i) => ({ config: { a: i }, configKey: `[${i}]` })),
      );
      await body(store);
    });

  it('claims pending trials in seq order, each for one worker, never more than parallelism at once', () =>
    withTrials(4, async (store) => {
      const first = await store.claimTrial('e', claim('a', { parallelism: 2 }));
      expect(first).toMatchObject({
        seq: 1,
        status: 'running',
        attempt: 1,
        runner: 'replay',
        claimedBy: 'a',
        claimToken: 'a-token',
      });
      expect(Date.parse(first?.leaseExpiresAt ?? '') - Date.parse(first?.startedAt ?? '')).toBe(60_000);
      expect((await store.claimTrial('e', claim('b', { parallelism: 2 })))?.seq).toBe(2);
      expect(await store.claimTrial('e', claim('c', { parallelism: 2 }))).toBeUndefined();
      expect((await store.claimTrial('e', claim('c', { parallelism: 3 })))?.seq).toBe(3);
      const done = await store.finishTrial(
        first?.id as number,
        { status: 'succeeded' },
        { token: 'a-token' },
      );
      // Who measured it stays on the record; the claim itself ends.
      expect(done).toMatchObject({ status: 'succeeded', claimedBy: 'a' });
      expect(done.claimToken).toBeUndefined();
      expect(done.leaseExpiresAt).toBeUndefined();
      expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));
      expect((await store.claimTrial('e', claim('c', { parallelism: 3 })))?.seq).toBe(4);
      expect(await store.claimTrial('e', claim('d'))).toBeUndefined();
      await expect(store.claimTrial('missing', claim('a'))).rejects.toThrow(NotFoundError);
      const started = (await store.listEvents('e')).filter((e) => e.type === 'trial-started');
      expect(started.map((e) => e.data.worker)).toEqual(['a', 'b', 'c', 'c']);
    }));

  it('hands each trial to one of many concurrent claimers and keeps parallelism', () =>
    withTrials(12, async (store) => {
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => store.claimTrial('e', claim(`w${i}`, { parallelism: 5 }))),
      );
      const won = claims.filter((t) => t !== undefined);
      expect(won).toHaveLength(5);
      expect(new Set(won.map((t) => t.id)).size).toBe(5);
      expect(new Set(won.map((t) => t.seq))).toEqual(new Set([1, 2, 3, 4, 5]));
      expect((await store.listTrials('e')).filter((t) => t.status === 'running')).toHaveLength(5);
    }));

  it('renews a lease only for its holder and refuses guarded writes by anyone else', () =>
    withTrials(1, async (store) => {
      const trial = (await store.claimTrial('e', claim('a'))) ?? expect.unreachable();
      expect(await store.renewLease(trial.id, 'b-token', 120_000)).toBe(false);
      expect(await store.renewLease(trial.id, 'a-token', 120_000)).toBe(true);
      const renewed = await store.getTrial(trial.id);
      expect(Date.parse(renewed?.leaseExpiresAt ?? '')).toBeGreaterThan(
        Date.parse(trial.leaseExpiresAt ?? ''),
      );
      await expect(
        store.finishTrial(trial.id, { status: 'succeeded' }, { token: 'b-token' }),
      ).rejects.toThrow(ClaimLostError);
      await expect(store.requeueTrial(trial.id, 'x', undefined, { token: 'b-token' })).rejects.toThrow(
        ClaimLostError,
      );
      const back = await store.requeueTrial(trial.id, 'retry', undefined, { token: 'a-token' });
      expect(back).toMatchObject({ status: 'pending', attempt: 1 });
      expect(back.claimedBy).toBeUndefined();
      expect(back.claimToken).toBeUndefined();
      expect(await store.renewLease(trial.id, 'a-token', 60_000)).toBe(false);
    }));

  it('re-queues the trials whose lease expired, except the caller’s own', () =>
    withTrials(2, async (store) => {
      const lost = (await store.claimTrial('e', claim('a', { leaseMs: 1 }))) ?? expect.unreachable();
      const late = (await store.claimTrial('e', claim('b', { leaseMs: 1 }))) ?? expect.unreachable();
      await sleep(30);
      const requeued = await store.requeueExpired('e', 'b-token');
      expect(requeued.map((t) => [t.id, t.status, t.attempt])).toEqual([[lost.id, 'pending', 1]]);
      const event = (await store.listEvents('e')).at(-1);
      expect(event).toMatchObject({ type: 'trial-requeued', trialId: lost.id, data: { worker: 'a' } });
      expect(String(event?.data.reason)).toMatch(/^the lease of worker a expired at /);
      // A late heartbeat still counts while nobody took the trial.
      expect(await store.renewLease(late.id, 'b-token', 60_000)).toBe(true);
      await expect(store.finishTrial(lost.id, { status: 'succeeded' }, { token: 'a-token' })).rejects.toThrow(
        ClaimLostError,
      );
      const again = await store.claimTrial('e', claim('c'));
      expect(again).toMatchObject({ id: lost.id, attempt: 2, claimedBy: 'c' });
      expect(await store.requeueExpired('e')).toEqual([]);
    }));

  it('lets one process at a time hold the suggestion lease, until it expires', () =>
    withStore(async (store) => {
      await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
      expect(await store.takeSuggestionLease('e', 'a', 60_000)).toBe(true);
      expect(await store.takeSuggestionLease('e', 'b', 60_000)).toBe(false);
      expect(await store.takeSuggestionLease('e', 'a', 60_000)).toBe(true);
      await store.releaseSuggestionLease('e', 'b');
      expect(await store.takeSuggestionLease('e', 'b', 60_000)).toBe(false);
      await store.releaseSuggestionLease('e', 'a');
      expect(await store.takeSuggestionLease('e', 'b', 1)).toBe(true);
      await sleep(30);
      expect(await store.takeSuggestionLease('e', 'c', 60_000)).toBe(true);
      await expect(store.takeSuggestionLease('missing', 'a', 1)).rejects.toThrow(NotFoundError);
    }));

  it('keeps the succeeded trial with the highest score as the best, the earliest on ties', () =>
    withTrials(5, async (store) => {
      const finish = async (score: number | undefined) => {
        const trial = (await store.claimTrial('e', claim('a'))) ?? expect.unreachable();
        return store.finishTrial(
          trial.id,
          score === undefined ? { status: 'failed' } : { status: 'succeeded', objective: score, score },
          { token: 'a-token' },
        );
      };
      const five = await finish(5);
      expect((await store.refreshBestTrial('e'))?.id).toBe(five.id);
      const nine = await finish(9);
      await finish(7);
      await finish(undefined);
      await finish(9);
      expect((await store.refreshBestTrial('e'))?.id).toBe(nine.id);
      expect((await store.refreshBestTrial('e'))?.id).toBe(nine.id);
      expect((await store.getExperiment('e'))?.bestTrialId).toBe(nine.id);
      expect((await store.listEvents('e')).filter((e) => e.type === 'best-trial')).toHaveLength(2);
      await expect(store.refreshBestTrial('missing')).rejects.toThrow(NotFoundError);
    }));

  it('ends a running experiment once, for whichever process sees the end first', () =>
    withStore(async (store) => {
      await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
      expect(await store.endExperiment('e', 'succeeded', 'too early')).toBe(false);
      await store.setExperimentStatus('e', 'running');
      const ends = await Promise.all([
        store.endExperiment('e', 'succeeded', 'seen by a'),
        store.endExperiment('e', 'succeeded', 'seen by b'),
      ]);
      expect(ends.filter(Boolean)).toHaveLength(1);
      expect(await store.getExperiment('e')).toMatchObject({
        status: 'succeeded',
        message: ends[0] ? 'seen by a' : 'seen by b',
      });
      const statuses = (await store.listEvents('e')).filter((e) => e.type === 'experiment-status');
      expect(statuses.map((e) => e.data.status)).toEqual(['running', 'succeeded']);
      await expect(store.endExperiment('missing', 'succeeded', 'x')).rejects.toThrow(NotFoundError);
    }));
}
