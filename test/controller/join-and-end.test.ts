import { describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../src/controller/events.js';
import { DELETED, joinExperiment, recordEnd } from '../../src/controller/join-and-end.js';
import { syntheticSetup } from './synthetic-setup.js';

const setup = syntheticSetup('join-end');

describe('recordEnd', () => {
  it('records the first end seen; a later one gets what was recorded', async () => {
    const store = await setup.freshStore();
    await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
    await store.setExperimentStatus('e', 'running');
    const first = { status: 'succeeded', message: 'budget spent' } as const;
    expect(await recordEnd(store, 'e', first)).toEqual(first);
    expect(await recordEnd(store, 'e', { status: 'succeeded', message: 'space exhausted' })).toEqual(first);
    expect(await store.getExperiment('e')).toMatchObject(first);
    await store.close();
  });

  it('says stopped when the experiment was deleted meanwhile', async () => {
    const store = await setup.freshStore();
    expect(await recordEnd(store, 'gone', { status: 'succeeded', message: 'x' })).toEqual({
      status: 'stopped',
      message: DELETED,
    });
    await store.close();
  });
});

describe('joinExperiment', () => {
  it('requeues trials left running and reports how the experiment stands', async () => {
    const store = await setup.freshStore();
    const experiment = setup.experimentWith({});
    await store.createExperiment({
      name: experiment.name,
      document: experiment.document,
      baseDir: setup.dir,
    });
    const [done, orphan] = await store.addTrials(experiment.name, [
      { config: { a: 1 }, configKey: '[1]' },
      { config: { a: 2 }, configKey: '[2]' },
    ]);
    await store.startTrial(done?.id as number, 'dead-controller');
    await store.finishTrial(done?.id as number, { status: 'succeeded', metrics: { rps: 1 } });
    await store.startTrial(orphan?.id as number, 'dead-controller');
    const runner = await experiment.runner.definition.create(experiment.runner.settings, experiment);
    let cleaned = 0;
    const events: ControllerEvent[] = [];
    await joinExperiment(
      store,
      experiment,
      { ...runner, cleanup: async () => void cleaned++ },
      (e) => events.push(e),
      true,
    );
    expect(cleaned).toBe(1);
    expect(events).toEqual([
      { type: 'experiment-started', experiment: experiment.name, resumed: true, requeued: 1, finished: 1 },
    ]);
    expect((await store.listTrials(experiment.name)).map((t) => t.status)).toEqual(['succeeded', 'pending']);
    await store.close();
  });
});
