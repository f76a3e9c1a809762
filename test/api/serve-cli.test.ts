import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_MESSAGE } from '../../src/controller/experiment-manager.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { morphling, startMorphling } from '../helpers/cli.js';
import { call, dir, experimentYaml, waitFor } from './helpers.js';

type Child = ReturnType<typeof startMorphling>;
const children: Child[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.length = 0;
});

/** Starts `morphling serve --port 0` and waits for the URL it prints. */
async function serve(store: string): Promise<{ child: Child; url: string; output: () => string }> {
  const child = startMorphling(['serve', '--port', '0', '--store', store], { cwd: dir });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await waitFor(
    () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
    'the URL',
    30_000,
  );
  return { child, url, output: () => output };
}

describe('morphling serve', () => {
  it('refuses a non-loopback host without a token (exit 2)', () => {
    const result = morphling(
      ['serve', '--host', '0.0.0.0', '--port', '0', '--store', join(dir, 'refused.db')],
      {
        env: { MORPHLING_TOKEN: '' },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--host 0\.0\.0\.0 accepts connections from other machines.*--token/);
    expect(morphling(['serve', '--port', 'http']).status).toBe(2);
  });

  it('serves the API; SIGTERM requeues the running trials and the next start resumes the experiment', async () => {
    const store = join(dir, 'serve.db');
    const first = await serve(store);
    expect((await call(`${first.url}/api/health`)).json.ok).toBe(true);
    const spec = {
      maxNumTrials: 10,
      parallelism: 2,
      runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 150 } },
    };
    const created = await call(`${first.url}/api/experiments`, {
      body: experimentYaml('served', spec),
      type: 'text/yaml',
    });
    expect(created.status).toBe(201);
    await waitFor(async () => {
      const { trials } = (await call(`${first.url}/api/experiments/served/trials`)).json;
      return (
        trials.some((t: { status: string }) => t.status === 'succeeded') &&
        trials.some((t: { status: string }) => t.status === 'running')
      );
    }, 'finished and running trials');

    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    expect(code, first.output()).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: stopping after cleanup/);

    const db = await openSqliteStore(store);
    expect(await db.getExperiment('served')).toMatchObject({ status: 'running', message: SHUTDOWN_MESSAGE });
    const left = await db.listTrials('served');
    expect(left.some((t) => t.status === 'running')).toBe(false);
    expect(left.filter((t) => t.status === 'succeeded').length).toBeLessThan(10);
    const requeued = (await db.listEvents('served')).filter((e) => e.type === 'trial-requeued');
    expect(requeued.map((e) => e.data.reason)).toContain('the experiment was stopped');
    await db.close();

    const second = await serve(store);
    await waitFor(
      async () => (await call(`${second.url}/api/experiments/served`)).json.experiment.status === 'succeeded',
      'the resumed experiment to finish',
    );
    expect(second.output()).toMatch(/resuming experiment served/);
    const { trials } = (await call(`${second.url}/api/experiments/served/trials`)).json;
    expect(trials).toHaveLength(10);
    expect(new Set(trials.map((t: { configKey: string }) => t.configKey)).size).toBe(10);
    for (const trial of left.filter((t) => t.status === 'succeeded'))
      expect(trials.find((t: { id: number }) => t.id === trial.id)).toEqual(trial);
    second.child.kill('SIGINT');
    expect((await once(second.child, 'exit'))[0]).toBe(0);
  });
});
