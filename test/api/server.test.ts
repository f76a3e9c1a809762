import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, dir, experimentYaml, openEvents, startServer, type TestServer, waitFor } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('HTTP API: server', () => {
  it('answers health with the package version and serves its OpenAPI document', async () => {
    server = await startServer();
    const health = await call(`${server.url}/api/health`);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(health).toMatchObject({ status: 200, json: { ok: true, version } });

    const doc = await call(`${server.url}/api/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths).sort()).toEqual([
      '/api/bench',
      '/api/experiments',
      '/api/experiments/{name}',
      '/api/experiments/{name}/bench',
      '/api/experiments/{name}/events',
      '/api/experiments/{name}/resume',
      '/api/experiments/{name}/stop',
      '/api/experiments/{name}/trials',
      '/api/experiments/{name}/trials/{seq}',
      '/api/health',
      '/api/openapi.json',
      '/api/validate',
    ]);
    const schemas = doc.json.components.schemas;
    expect(schemas.TrialRecord.properties.status.enum).toEqual([
      'pending',
      'running',
      'succeeded',
      'infeasible',
      'failed',
    ]);
    expect(schemas.ExperimentDocument.properties.spec.required).toContain('maxNumTrials');
    // Every reference resolves to a schema of the document.
    const refs = [...JSON.stringify(doc.json).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(schemas).toHaveProperty([ref as string]);
    expect(JSON.stringify(doc.json)).not.toMatch(/"\$schema"|"\$id"/);
  });

  it('with a token, every /api route needs the bearer token; the dashboard stays open', async () => {
    server = await startServer({ token: 's3cret' });
    const { url } = server;
    const body = experimentYaml('auth', { maxNumTrials: 1 });
    const routes: {
      path: string;
      method?: 'GET' | 'POST' | 'DELETE';
      body?: string;
      type?: string;
      ok: number;
    }[] = [
      { path: '/api/health', ok: 200 },
      { path: '/api/openapi.json', ok: 200 },
      { path: '/api/validate', body, type: 'text/yaml', ok: 200 },
      { path: '/api/experiments', body, type: 'text/yaml', ok: 201 },
      { path: '/api/experiments', ok: 200 },
      { path: '/api/experiments/auth', ok: 200 },
      { path: '/api/experiments/auth/trials', ok: 200 },
      { path: '/api/bench', ok: 200 },
      { path: '/api/experiments/auth/bench', ok: 200 },
    ];
    for (const route of routes) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }] as Record<
        string,
        string
      >[]) {
        const denied = await call(`${url}${route.path}`, { ...route, headers });
        expect(denied.status, `${route.path} with ${JSON.stringify(headers)}`).toBe(401);
        expect(denied.headers['www-authenticate']).toBe('Bearer');
      }
      const allowed = await call(`${url}${route.path}`, {
        ...route,
        headers: { authorization: 'Bearer s3cret' },
      });
      expect(allowed.status, route.path).toBe(route.ok);
    }
    const auth = { authorization: 'Bearer s3cret' };
    await waitFor(
      async () =>
        (await call(`${url}/api/experiments/auth`, { headers: auth })).json.experiment.status === 'succeeded',
      'the experiment to finish',
    );
    expect((await call(`${url}/api/experiments/auth/trials/1`)).status).toBe(401);
    expect((await call(`${url}/api/experiments/auth/trials/1`, { headers: auth })).status).toBe(200);
    expect((await call(`${url}/api/experiments/auth/resume`, { method: 'POST' })).status).toBe(401);
    expect((await call(`${url}/api/experiments/auth/stop`, { method: 'POST' })).status).toBe(401);
    expect((await call(`${url}/api/experiments/auth`, { method: 'DELETE' })).status).toBe(401);
    expect((await call(`${url}/api/nothing-here`)).status).toBe(401);

    // Event streams take the token as a query parameter too (EventSource cannot set headers).
    expect((await call(`${url}/api/experiments/auth/events`)).status).toBe(401);
    expect((await call(`${url}/api/experiments/auth/events?token=wrong`)).status).toBe(401);
    const stream = await openEvents(`${url}/api/experiments/auth/events?token=s3cret`);
    expect(stream.status).toBe(200);
    await stream.until((events) => events.some((e) => e.event === 'experiment-ended'), 'the log');
    stream.close();
    // ... but only event streams.
    expect((await call(`${url}/api/experiments?token=s3cret`)).status).toBe(401);

    expect((await call(`${url}/api/experiments/auth`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const page = await call(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/dashboard is not built/);
  });

  it('serves the built dashboard with a fallback to index.html, and JSON 404s under /api', async () => {
    const ui = join(dir, 'ui-built');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>dashboard</title>');
    writeFileSync(join(ui, 'app.js'), 'console.log("app")');
    writeFileSync(join(ui, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'not for the web');
    server = await startServer({ uiDir: ui });
    const { url } = server;

    const index = await call(`${url}/`);
    expect(index).toMatchObject({ status: 200, text: '<!doctype html><title>dashboard</title>' });
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    const js = await call(`${url}/app.js`);
    expect(js.text).toBe('console.log("app")');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await call(`${url}/assets/app.css`)).headers['content-type']).toMatch(/^text\/css/);
    // A route of the single-page app: the page itself.
    expect((await call(`${url}/experiments/resnet.v2?tab=trials`)).text).toMatch(/<title>dashboard/);
    expect((await call(`${url}/../secret.txt`)).text).not.toMatch(/not for the web/);
    expect((await call(`${url}/%2e%2e/secret.txt`)).text).not.toMatch(/not for the web/);

    const missing = await call(`${url}/api/nothing-here`);
    expect(missing).toMatchObject({ status: 404, json: { error: 'no route GET /api/nothing-here' } });
  });
});
