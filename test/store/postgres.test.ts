import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreAt } from '../../src/store/open.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { type PostgresServer, postgresMissing, startPostgres } from '../helpers/postgres-server.js';
import { storeContract } from './store-contract.js';

// A real PostgreSQL server, started for this file (see test/helpers/postgres-server.ts).
const missing = postgresMissing();
if (missing) console.warn(`PostgreSQL store tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)('postgres store', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  storeContract('postgres', async () => openPostgresStore(await server.createDatabase()));

  it('migrates once when several processes open a new database together', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(url, { poolSize: 2 })));
    await stores[0]?.createExperiment({ name: 'e', document: {}, baseDir: '/' });
    expect((await stores[3]?.listExperiments())?.map((e) => e.name)).toEqual(['e']);
    await Promise.all(stores.map((s) => s.close()));
    const pg = (await import('pg')).default;
    const client = new pg.Client(url);
    await client.connect();
    const { rows } = await client.query('select name from kysely_migration order by name');
    await client.end();
    expect(rows.map((r) => r.name)).toEqual(['0001-initial', '0002-load-curve', '0003-claims']);
  });

  it('opens the backend the location names, and keeps a password out of its errors', async () => {
    const store = await openStoreAt(await server.createDatabase());
    expect(await store.listExperiments()).toEqual([]);
    await store.close();
    await expect(openStoreAt('postgres://someone:secret@127.0.0.1:1/nothing')).rejects.toThrow(
      /^cannot open the PostgreSQL store postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing: /,
    );
  });
});
