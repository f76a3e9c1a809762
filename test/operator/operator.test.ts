import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExperimentManager } from '../../src/controller/experiment-manager.js';
import { bestTrial } from '../../src/controller/stop-rules.js';
import { ExperimentOperator } from '../../src/operator/operator.js';
import { OWNER_ANNOTATION } from '../../src/operator/resource.js';
import { KubeClient } from '../../src/runners/kubernetes/api-client.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { type Schema, validate } from '../deploy/structural-schema.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';
import { FakeApiServer } from '../runners/kubernetes/fake-apiserver.js';
import { Kubectl } from './helpers.js';

// The operator runs against the STAND-IN API server (test/runners/kubernetes/fake-apiserver.ts), not a
// real cluster: none can run on these machines. Experiments run for real, on the replay runner over a
// synthetic table, in an ExperimentManager over a real SQLite store. The tests check what the operator
// did: the experiments in the store and the status it wrote back.

const NAMESPACE = 'tuning';
const dir = mkdtempSync(join(tmpdir(), 'morphling-operator-'));
writeSyntheticTable(dir);

function experiment(name: string, spec: Record<string, unknown> = {}) {
  const document = syntheticExperiment('synthetic.jsonl', { maxNumTrials: 4, ...spec });
  return { metadata: { name }, spec: document.spec };
}

describe('ProfilingExperiment operator against the stand-in API server', () => {
  let api: FakeApiServer;
  let store: SqlStore;
  let manager: ExperimentManager;
  let operator: ExperimentOperator;
  let client: KubeClient;
  let kubectl: Kubectl;
  const logs: string[] = [];

  beforeAll(async () => {
    api = new FakeApiServer({ images: {} });
    const url = await api.start();
    store = await openSqliteStore(join(dir, 'operator.db'));
    manager = new ExperimentManager(store);
    client = new KubeClient({ server: url, source: 'test' });
    operator = new ExperimentOperator({
      client,
      namespace: NAMESPACE,
      manager,
      store,
      baseDir: dir,
      throttleMs: 100,
      retryMs: 100,
      log: (line) => logs.push(line),
    });
    operator.start();
    kubectl = new Kubectl(url, NAMESPACE);
  });
  afterAll(async () => {
    await operator?.stop();
    await manager?.close();
    await store?.close();
    await client?.close();
    await api?.close();
  });

  const phase = async (name: string) => (await kubectl.get(name)).status?.phase;
  const settled = (name: string, wanted: string) =>
    expect.poll(() => phase(name), { timeout: 20_000, interval: 50 }).toBe(wanted);

  it('runs an applied experiment and writes its result back: Succeeded, counts, the best trial', async () => {
    const created = await kubectl.apply(experiment('grid-four'));
    await settled('grid-four', 'Succeeded');
    const object = await kubectl.get('grid-four');
    const trials = await store.listTrials('grid-four');
    const best = bestTrial(trials);
    expect(trials).toHaveLength(4);
    expect(best).toBeDefined();
    expect(object.status).toMatchObject({
      phase: 'Succeeded',
      observedGeneration: 1,
      trialsTotal: 4,
      trialsSucceeded: trials.filter((t) => t.status === 'succeeded').length,
      trialsInfeasible: trials.filter((t) => t.status === 'infeasible').length,
      trialsFailed: 0,
      trialsRunning: 0,
      currentOptimalTrial: {
        tunableParameters: expect.arrayContaining([
          { name: 'cpu', value: String(best?.config.cpu), category: 'resource' },
          { name: 'MAX_BATCH_SIZE', value: String(best?.config.MAX_BATCH_SIZE), category: 'env' },
        ]),
        objectiveMetricsObserved: [{ name: 'rps', value: String(best?.objective) }],
      },
    });
    expect(object.status?.completionTime).toMatch(/Z$/);
    // The current phase is the last condition (the CRD's State column); earlier phases are False.
    const conditions = object.status?.conditions ?? [];
    expect(conditions.at(-1)).toMatchObject({ type: 'Succeeded', status: 'True' });
    expect(conditions.at(-1)?.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(conditions.filter((c) => c.status === 'True')).toHaveLength(1);
    // The CRD in deploy/ accepts the status as written: no field the API server would prune or reject.
    const crd = parse(
      readFileSync(new URL('../../deploy/crd/profilingexperiments.yaml', import.meta.url), 'utf8'),
    );
    const statusSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties.status as Schema;
    expect(validate(object.status, statusSchema, 'status')).toEqual([]);
    // The stored experiment records which object it came from.
    const record = await store.getExperiment('grid-four');
    expect(
      ((record as { document: unknown }).document as { metadata: { annotations: Record<string, string> } })
        .metadata.annotations,
    ).toEqual({
      [OWNER_ANNOTATION]: created.metadata.uid,
    });
  });

  it('reports an invalid spec as Failed, naming the field, and runs nothing', async () => {
    const bad = experiment('bad-space');
    const params = bad.spec.tunableParameters as { parameters: { name: string; feasibleSpace: unknown }[] }[];
    const threads = params.flatMap((g) => g.parameters).find((p) => p.name === 'threads');
    if (threads) threads.feasibleSpace = { min: 4, max: 2 };
    await kubectl.apply(bad);
    await settled('bad-space', 'Failed');
    const object = await kubectl.get('bad-space');
    expect(object.status?.conditions?.at(-1)).toMatchObject({
      type: 'Failed',
      status: 'True',
      reason: 'InvalidSpec',
    });
    expect(object.status?.message).toMatch(
      /spec\.tunableParameters\[\d\]\.parameters\[\d\]\.feasibleSpace: min \(4\) is greater than max \(2\)/,
    );
    expect(await store.getExperiment('bad-space')).toBeUndefined();
  });

  it('resumes a finished experiment when maxNumTrials is raised, and refuses other changes', async () => {
    await kubectl.apply(experiment('grow', { maxNumTrials: 3 }));
    await settled('grow', 'Succeeded');
    await kubectl.edit('grow', (o) => {
      (o.spec as { maxNumTrials: number }).maxNumTrials = 7;
    });
    await expect
      .poll(async () => (await kubectl.get('grow')).status?.trialsTotal, { timeout: 20_000 })
      .toBe(7);
    await settled('grow', 'Succeeded');
    expect((await kubectl.get('grow')).status?.observedGeneration).toBe(2);
    expect(await store.listTrials('grow')).toHaveLength(7);

    // Another algorithm would measure differently: refused, the experiment keeps what it has.
    await kubectl.edit('grow', (o) => {
      (o.spec as { algorithm: unknown }).algorithm = { algorithmName: 'random' };
    });
    await expect
      .poll(
        async () =>
          (await kubectl.get('grow')).status?.conditions?.find((c) => c.type === 'SpecChangeRefused'),
        {
          timeout: 10_000,
        },
      )
      .toMatchObject({
        status: 'True',
        reason: 'IncompatibleChange',
        message: expect.stringContaining('spec.algorithm'),
      });
    const object = await kubectl.get('grow');
    expect(object.status?.conditions?.at(-1)?.type).toBe('Succeeded');
    expect(object.status?.observedGeneration).toBe(3);
    expect(await store.listTrials('grow')).toHaveLength(7);
    expect((await store.getExperiment('grow'))?.document).toMatchObject({
      spec: { algorithm: { algorithmName: 'grid' } },
    });
  });

  it('stops the run and deletes the experiment when the object is deleted', async () => {
    await kubectl.apply(
      experiment('doomed', {
        maxNumTrials: 40,
        runner: { name: 'replay', settings: { table: 'synthetic.jsonl', delayMs: 200 } },
      }),
    );
    await expect
      .poll(async () => (await kubectl.get('doomed')).status?.trialsSucceeded ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(manager.isRunning('doomed')).toBe(true);
    await kubectl.delete('doomed');
    await expect.poll(() => store.getExperiment('doomed'), { timeout: 10_000 }).toBeUndefined();
    expect(manager.isRunning('doomed')).toBe(false);
  });

  it('retries a status write that conflicts with another client, keeping that client’s change', async () => {
    let raced = false;
    api.onRequest = async (method, path) => {
      if (raced || method !== 'PUT' || !path.endsWith('/profilingexperiments/contended/status')) return;
      raced = true;
      // Another client (a `kubectl label`) writes the object between the operator's read and its write.
      await kubectl.edit('contended', (o) => {
        o.metadata.labels = { team: 'serving' };
      });
    };
    try {
      await kubectl.apply(experiment('contended'));
      await settled('contended', 'Succeeded');
    } finally {
      api.onRequest = undefined;
    }
    const writes = api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/contended/status'));
    expect(writes[0]?.code).toBe(409);
    expect(writes.slice(1).some((r) => r.code === 200)).toBe(true);
    const object = await kubectl.get('contended');
    expect(object.metadata.labels).toEqual({ team: 'serving' });
    expect(object.status?.trialsTotal).toBe(4);
  });

  it('reconnects when the API server closes the watch, and lists again after 410 Gone', async () => {
    const lists = () =>
      api.requests.filter((r) => r.method === 'GET' && /profilingexperiments$/.test(r.path)).length;
    const watches = () =>
      api.requests.filter((r) => r.path.includes('profilingexperiments?') && r.path.includes('watch=1'))
        .length;
    const listsBefore = lists();
    const watchesBefore = watches();
    api.customResources.closeWatches();
    await expect.poll(() => api.customResources.openWatches, { timeout: 5_000 }).toBe(1);
    expect(watches()).toBe(watchesBefore + 1);
    expect(lists()).toBe(listsBefore); // resumed from its resourceVersion: no relist needed
    await kubectl.apply(experiment('after-reconnect'));
    await settled('after-reconnect', 'Succeeded');

    // While it reconnects, another client creates an object and the server compacts its history: the
    // events the watch would resume from are gone (410), so the operator must list again to see it.
    let raced = false;
    api.onRequest = async (method, path) => {
      if (raced || method !== 'GET' || !path.endsWith('/profilingexperiments')) return;
      raced = true;
      await kubectl.apply(experiment('after-relist'));
      api.customResources.compact();
    };
    try {
      api.customResources.closeWatches();
      await settled('after-relist', 'Succeeded');
    } finally {
      api.onRequest = undefined;
    }
    expect(lists()).toBe(listsBefore + 1);
    expect(logs.filter((l) => l.includes('retrying'))).toEqual([]);
  });
});
