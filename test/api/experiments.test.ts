import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_MESSAGE } from '../../src/controller/experiment-manager.js';
import { syntheticExperiment } from '../helpers/synthetic-table.js';
import { call, experimentYaml, startServer, type TestServer, table, waitFor } from './helpers.js';

const YAML = 'application/yaml';
let servers: TestServer[] = [];
const serve = async (...args: Parameters<typeof startServer>) => {
  const server = await startServer(...args);
  servers.push(server);
  return server;
};
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});

const experimentStatus = async (url: string, name: string) =>
  (await call(`${url}/api/experiments/${name}`)).json.experiment.status as string;
const finishedWith = (url: string, name: string, status: string) =>
  waitFor(async () => (await experimentStatus(url, name)) === status, `${name} to be ${status}`);

describe('HTTP API: experiments', () => {
  it('runs a submitted experiment in the background; lists, shows and reads its trials', async () => {
    const { url } = await serve();
    const created = await call(`${url}/api/experiments`, {
      body: experimentYaml('grid-api', { maxNumTrials: 6 }),
      type: YAML,
    });
    expect(created.status).toBe(201);
    expect(created.json.experiment).toMatchObject({ name: 'grid-api', status: 'created' });
    expect(created.json.experiment.document.spec.maxNumTrials).toBe(6);

    await finishedWith(url, 'grid-api', 'succeeded');
    const list = await call(`${url}/api/experiments`);
    expect(list.status).toBe(200);
    expect(list.json.experiments).toHaveLength(1);
    expect(list.json.experiments[0]).toMatchObject({
      name: 'grid-api',
      status: 'succeeded',
      trialCounts: { succeeded: 6, pending: 0, running: 0, infeasible: 0, failed: 0 },
    });
    expect(list.json.experiments[0].bestObjective).toBeGreaterThan(0);

    const detail = await call(`${url}/api/experiments/grid-api`);
    expect(detail.json.summary).toMatchObject({
      spaceSize: 144,
      objective: { metric: 'rps', goal: 'maximize' },
    });
    expect(detail.json.summary.parameters.map((p: { name: string }) => p.name)).toEqual([
      'cpu',
      'memory',
      'MAX_BATCH_SIZE',
      'threads',
    ]);
    expect(detail.json.best.objective).toBe(list.json.experiments[0].bestObjective);

    const trials = await call(`${url}/api/experiments/grid-api/trials`);
    expect(trials.json.trials).toHaveLength(6);
    expect(trials.json.trials[0]).toMatchObject({ seq: 1, status: 'succeeded', runner: 'replay' });
    expect(trials.json.trials[0].metrics.rps).toBeGreaterThan(0);
    expect(trials.json.trials[0].limits.replayedFrom).toBe(table);

    const trial = await call(`${url}/api/experiments/grid-api/trials/3`);
    expect(trial.json.trial).toEqual(trials.json.trials[2]);
    expect((await call(`${url}/api/experiments/grid-api/trials/99`)).status).toBe(404);
    expect((await call(`${url}/api/experiments/grid-api/trials/x`)).status).toBe(400);
    expect(await call(`${url}/api/experiments/nope`)).toMatchObject({
      status: 404,
      json: { error: 'no experiment named "nope"' },
    });
    expect((await call(`${url}/api/experiments/nope/trials`)).status).toBe(404);
  });

  it('accepts JSON, and refuses a second experiment of the same name', async () => {
    const { url } = await serve();
    const document = syntheticExperiment('synthetic.jsonl', { maxNumTrials: 2 });
    const body = JSON.stringify(document);
    const first = await call(`${url}/api/experiments`, { body, type: 'application/json; charset=utf-8' });
    expect(first.status).toBe(201);
    const again = await call(`${url}/api/experiments`, { body, type: 'application/json' });
    expect(again).toMatchObject({ status: 409, json: { error: 'experiment "synthetic" already exists' } });
    await finishedWith(url, 'synthetic', 'succeeded');
  });

  it('answers 400 with field paths, the CLI`s messages and line numbers for an invalid spec', async () => {
    const { url, store } = await serve();
    const text = [
      'apiVersion: tuning.kubedl.io/v1alpha1', // 1
      'kind: ProfilingExperiment', // 2
      'metadata:', // 3
      '  name: broken', // 4
      'spec:', // 5
      '  algorithm:', // 6
      '    algorithmName: grid', // 7
      '  maxNumTrials: 0', // 8
      '  tunableParameters:', // 9
      '    - category: resource', // 10
      '      parameters:', // 11
      '        - name: cpu', // 12
      '          parameterType: int', // 13
      '          feasibleSpace: { min: 1, max: 2 }', // 14
      '  parallelizm: 2', // 15
    ].join('\n');
    const response = await call(`${url}/api/experiments`, { body: text, type: 'text/yaml' });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error: 'invalid experiment',
      problems: [
        { path: 'spec.maxNumTrials', message: 'must be greater than 0, got number 0', line: 8 },
        { path: 'spec.parallelizm', message: 'unknown field (did you mean "parallelism"?)', line: 15 },
      ],
    });

    // Problems found after the schema (the space, the algorithm) carry lines too.
    const semantic = text
      .replace('maxNumTrials: 0', 'maxNumTrials: 3')
      .replace('  parallelizm: 2', '')
      .replace('min: 1, max: 2', 'min: 8, max: 4')
      .replace('algorithmName: grid', 'algorithmName: gird');
    const second = await call(`${url}/api/experiments`, { body: semantic, type: 'text/plain' });
    expect(second.status).toBe(400);
    expect(second.json.problems).toEqual([
      {
        path: 'spec.tunableParameters[0].parameters[0].feasibleSpace',
        message: 'min (8) is greater than max (4)',
        line: 14,
      },
      {
        path: 'spec.algorithm.algorithmName',
        message: expect.stringMatching(/^unknown algorithm "gird" \(did you mean "grid"\?\); known: /),
        line: 7,
      },
    ]);

    const syntax = await call(`${url}/api/experiments`, { body: 'spec: [1\nmetadata: 2\n', type: YAML });
    expect(syntax.status).toBe(400);
    expect(syntax.json.problems[0]).toMatchObject({ path: '', line: 2 });
    expect(syntax.json.problems[0].message).toMatch(/^not valid YAML: /);
    const empty = await call(`${url}/api/experiments`, { method: 'POST', type: YAML, body: '' });
    expect(empty.json.problems).toEqual([{ path: '', message: 'the file is empty' }]);
    expect(await store.listExperiments()).toEqual([]);
  });

  it('validates without storing', async () => {
    const { url, store } = await serve();
    const valid = await call(`${url}/api/validate`, {
      body: experimentYaml('v', { maxNumTrials: 7 }),
      type: YAML,
    });
    expect(valid.json).toEqual({
      valid: true,
      summary: { name: 'v', spaceSize: 144, algorithm: 'grid', runner: 'replay', maxNumTrials: 7 },
    });
    const invalid = await call(`${url}/api/validate`, {
      body: experimentYaml('v', { maxNumTrials: -1 }),
      type: YAML,
    });
    expect(invalid.status).toBe(200);
    expect(invalid.json.valid).toBe(false);
    expect(invalid.json.problems[0]).toMatchObject({ path: 'spec.maxNumTrials' });
    expect(invalid.json.problems[0].line).toBeGreaterThan(1);
    // JSON is located the same way.
    const json = JSON.stringify(syntheticExperiment('synthetic.jsonl', { maxNumTrials: 0 }), null, 2);
    const fromJson = await call(`${url}/api/validate`, { body: json, type: 'application/json' });
    expect(fromJson.json.problems).toEqual([
      {
        path: 'spec.maxNumTrials',
        message: 'must be greater than 0, got number 0',
        line: json.split('\n').findIndex((l) => l.includes('"maxNumTrials"')) + 1,
      },
    ]);
    expect(await store.listExperiments()).toEqual([]);
  });

  it('refuses bodies over 1 MiB (413) and media types other than YAML and JSON (415)', async () => {
    const { url, store } = await serve();
    const big = `${experimentYaml('big')}\n# ${'x'.repeat(1024 * 1024)}\n`;
    const tooLarge = await call(`${url}/api/experiments`, { body: big, type: YAML });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toMatch(/body/i);
    const form = await call(`${url}/api/experiments`, {
      body: 'a=b',
      type: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.json.error).toMatch(/media type|content-type/i);
    const resumeYaml = await call(`${url}/api/experiments/x/resume`, { body: 'maxNumTrials: 3', type: YAML });
    expect(resumeYaml.status).toBe(415);
    expect(await store.listExperiments()).toEqual([]);
  });

  it('stops an experiment (running trials requeued) and resumes it with a larger budget, no config twice', async () => {
    const { url, store } = await serve();
    const spec = {
      maxNumTrials: 10,
      parallelism: 2,
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: 11 }] },
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 60 } },
    };
    expect(
      (await call(`${url}/api/experiments`, { body: experimentYaml('sr', spec), type: YAML })).status,
    ).toBe(201);
    await waitFor(
      async () => (await store.listTrials('sr')).filter((t) => t.status === 'succeeded').length >= 3,
      '3 trials',
    );
    const stop = await call(`${url}/api/experiments/sr/stop`, { method: 'POST' });
    expect(stop.status).toBe(202);
    await finishedWith(url, 'sr', 'stopped');
    const before = await store.listTrials('sr');
    expect(before.some((t) => t.status === 'running')).toBe(false);
    const finishedBefore = before.filter((t) => t.status !== 'pending');
    expect(finishedBefore.length).toBeLessThan(10);
    const requeues = (await store.listEvents('sr')).filter((e) => e.type === 'trial-requeued');
    expect(requeues.map((e) => e.data.reason)).toContain('the experiment was stopped');
    expect((await call(`${url}/api/experiments/sr/stop`, { method: 'POST' })).status).toBe(409);

    const resume = await call(`${url}/api/experiments/sr/resume`, {
      body: JSON.stringify({ maxNumTrials: 12 }),
      type: 'application/json',
    });
    expect(resume.status).toBe(202);
    await finishedWith(url, 'sr', 'succeeded');
    const after = await store.listTrials('sr');
    expect(after).toHaveLength(12);
    expect(new Set(after.map((t) => t.configKey)).size).toBe(12);
    for (const trial of finishedBefore) expect(after.find((t) => t.id === trial.id)).toEqual(trial);
    const stored = (await store.getExperiment('sr'))?.document as { spec: { maxNumTrials: number } };
    expect(stored.spec.maxNumTrials).toBe(12);

    expect(
      (
        await call(`${url}/api/experiments/sr/resume`, {
          body: JSON.stringify({ maxNumTrials: 0 }),
          type: 'application/json',
        })
      ).status,
    ).toBe(400);
    expect((await call(`${url}/api/experiments/nope/resume`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses to delete a running experiment unless forced', async () => {
    const { url, store } = await serve();
    const spec = {
      maxNumTrials: 50,
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 200 } },
    };
    await call(`${url}/api/experiments`, { body: experimentYaml('del', spec), type: YAML });
    await waitFor(
      async () => (await store.listTrials('del')).some((t) => t.status === 'running'),
      'a running trial',
    );
    const refused = await call(`${url}/api/experiments/del`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/running; stop it first or delete it with \?force=true/);
    const forced = await call(`${url}/api/experiments/del?force=true`, { method: 'DELETE' });
    expect(forced.status).toBe(204);
    expect((await call(`${url}/api/experiments/del`)).status).toBe(404);
    expect(await store.listTrials('del')).toEqual([]);
    expect((await call(`${url}/api/experiments/del`, { method: 'DELETE' })).status).toBe(404);

    await call(`${url}/api/experiments`, { body: experimentYaml('done', { maxNumTrials: 1 }), type: YAML });
    await finishedWith(url, 'done', 'succeeded');
    expect((await call(`${url}/api/experiments/done`, { method: 'DELETE' })).status).toBe(204);
  });

  it('closing the server requeues running trials; the next server resumes the experiment', async () => {
    const first = await serve();
    const spec = {
      maxNumTrials: 8,
      parallelism: 2,
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 80 } },
    };
    await call(`${first.url}/api/experiments`, { body: experimentYaml('restart', spec), type: YAML });
    await waitFor(
      async () => (await first.store.listTrials('restart')).some((t) => t.status === 'succeeded'),
      'a finished trial',
    );
    await first.close();

    const second = await serve({ storePath: first.storePath, resumeInterrupted: false });
    const left = await second.store.getExperiment('restart');
    expect(left).toMatchObject({ status: 'running', message: SHUTDOWN_MESSAGE });
    const trials = await second.store.listTrials('restart');
    expect(trials.some((t) => t.status === 'running')).toBe(false);
    expect(trials.length).toBeLessThan(8);
    await second.close();

    const third = await serve({ storePath: first.storePath });
    await finishedWith(third.url, 'restart', 'succeeded');
    const all = await third.store.listTrials('restart');
    expect(all).toHaveLength(8);
    expect(new Set(all.map((t) => t.configKey)).size).toBe(8);
  });
});
