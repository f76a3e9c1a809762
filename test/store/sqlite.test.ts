import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'morphling-store-'));
let n = 0;
storeContract('sqlite', () => openSqliteStore(join(dir, `store-${n++}.db`)));

describe('sqlite store', () => {
  it('uses WAL, and keeps committed trials when reopened', async () => {
    const path = join(dir, 'reopen.db');
    const store = await openSqliteStore(path);
    await store.createExperiment({ name: 'e', document: {}, baseDir: '/' });
    const [trial] = await store.addTrials('e', [{ config: { a: 1 }, configKey: '[1]' }]);
    await store.startTrial(trial?.id as number, 'r');
    // No close: the process could die here. A second connection sees the committed state.
    const again = await openSqliteStore(path);
    expect((await again.listTrials('e')).map((t) => t.status)).toEqual(['running']);
    await again.close();
    await store.close();
    const raw = new Sqlite(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('select name from kysely_migration').all()).toEqual([
      { name: '0001-initial' },
      { name: '0002-load-curve' },
      { name: '0003-claims' },
    ]);
    raw.close();
  });

  it('migrates an existing database only once', async () => {
    const path = join(dir, 'twice.db');
    await (await openSqliteStore(path)).close();
    const store = await openSqliteStore(path);
    expect(await store.listExperiments()).toEqual([]);
    await store.close();
  });
});
