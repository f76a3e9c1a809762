import { afterEach, describe, expect, it } from 'vitest';
import { call, experimentYaml, openEvents, startServer, type TestServer, waitFor } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const slow = (budget: number, delayMs: number) => ({
  maxNumTrials: budget,
  algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 4 }] },
  runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs } },
});

describe('HTTP API: live events', () => {
  it('streams trial events as they happen and replays what a reconnecting client missed', async () => {
    server = await startServer();
    const { url } = server;
    await call(`${url}/api/experiments`, { body: experimentYaml('live', slow(8, 60)), type: 'text/yaml' });
    const stream = await openEvents(`${url}/api/experiments/live/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    await stream.until(
      (events) => events.filter((e) => e.event === 'trial-finished').length >= 2,
      '2 finished',
    );
    stream.close();
    const seen = [...stream.events];
    const lastId = seen.at(-1)?.id as number;

    expect(seen[0]).toMatchObject({
      event: 'experiment-started',
      data: { type: 'experiment-started', experiment: 'live', resumed: false, requeued: 0, finished: 0 },
    });
    const finished = seen.filter((e) => e.event === 'trial-finished');
    expect(finished[0]?.data).toMatchObject({ type: 'trial-finished', done: 1, budget: 8 });
    expect(finished[0]?.data.trial).toMatchObject({ experiment: 'live', seq: 1, status: 'succeeded' });
    expect(finished[0]?.data.best.objective).toBeGreaterThan(0);
    const started = seen.find((e) => e.event === 'trial-started');
    expect(started?.data.trial).toMatchObject({ seq: 1, status: 'running', attempt: 1 });
    // Ids are the store's event ids: increasing, so that Last-Event-ID names a point in the log.
    expect(seen.map((e) => e.id)).toEqual([...seen.map((e) => e.id)].sort((a, b) => a - b));

    // Events happen while nobody listens; a reconnecting client gets exactly those, then live ones.
    const { store } = server;
    await waitFor(
      async () => (await store.listTrials('live')).filter((t) => t.finishedAt).length >= 5,
      '5 done',
    );
    const again = await openEvents(`${url}/api/experiments/live/events`, { 'last-event-id': String(lastId) });
    await again.until((events) => events.some((e) => e.event === 'experiment-ended'), 'the end');
    again.close();
    expect(again.events[0]?.id).toBeGreaterThan(lastId);
    const ended = again.events.at(-1);
    expect(ended).toMatchObject({ event: 'experiment-ended', data: { status: 'succeeded' } });
    expect(ended?.data.best.objective).toBeGreaterThan(0);

    // Together the two connections saw the whole log once, in order: what a fresh client replays.
    const full = await openEvents(`${url}/api/experiments/live/events`);
    await full.until((events) => events.some((e) => e.event === 'experiment-ended'), 'the whole log');
    full.close();
    const joined = [...seen, ...again.events];
    expect(joined.map((e) => [e.id, e.event])).toEqual(full.events.map((e) => [e.id, e.event]));
    expect(full.events.filter((e) => e.event === 'trial-finished').map((e) => e.data.done)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('reports requeued trials, a resumed run, and ends the stream when the experiment is deleted', async () => {
    server = await startServer();
    const { url, store } = server;
    await call(`${url}/api/experiments`, {
      body: experimentYaml('requeue', slow(20, 150)),
      type: 'text/yaml',
    });
    const stream = await openEvents(`${url}/api/experiments/requeue/events`);
    await stream.until((events) => events.some((e) => e.event === 'trial-started'), 'a started trial');
    await call(`${url}/api/experiments/requeue/stop`, { method: 'POST' });
    await stream.until((events) => events.some((e) => e.event === 'experiment-ended'), 'the stop');
    expect(stream.events.find((e) => e.event === 'trial-requeued')?.data).toMatchObject({
      reason: 'the experiment was stopped',
      trial: { status: 'pending' },
    });
    expect(stream.events.at(-1)?.data).toMatchObject({ status: 'stopped' });

    await call(`${url}/api/experiments/requeue/resume`, { method: 'POST' });
    await stream.until(
      (events) => events.filter((e) => e.event === 'experiment-started').length === 2,
      'resumed',
    );
    expect(stream.events.filter((e) => e.event === 'experiment-started').at(-1)?.data).toMatchObject({
      resumed: true,
    });
    await call(`${url}/api/experiments/requeue?force=true`, { method: 'DELETE' });
    await stream.done;
    expect(await store.getExperiment('requeue')).toBeUndefined();
  });

  it('answers 404 for an unknown experiment and 400 for a malformed Last-Event-ID', async () => {
    server = await startServer();
    expect((await call(`${server.url}/api/experiments/nope/events`)).status).toBe(404);
    await call(`${server.url}/api/experiments`, {
      body: experimentYaml('x', { maxNumTrials: 1 }),
      type: 'text/yaml',
    });
    const bad = await call(`${server.url}/api/experiments/x/events`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
  });

  it('closing the server ends open streams', async () => {
    server = await startServer();
    await call(`${server.url}/api/experiments`, {
      body: experimentYaml('open', slow(30, 100)),
      type: 'text/yaml',
    });
    const stream = await openEvents(`${server.url}/api/experiments/open/events`);
    await stream.until((events) => events.length > 0, 'an event');
    await server.close();
    await stream.done;
  });
});
