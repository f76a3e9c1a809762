import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

/**
 * The controller tests' setting: a temporary folder with the synthetic profile table, a new SQLite
 * store in it per call of `freshStore`, and experiments over the table with `spec` overrides.
 */
export function syntheticSetup(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `morphling-${prefix}-`));
  const table = writeSyntheticTable(dir);
  let n = 0;
  return {
    dir,
    table,
    freshStore: () => openSqliteStore(join(dir, `${prefix}-${n++}.db`)),
    experimentWith: (spec: Record<string, unknown>) =>
      resolveExperiment(syntheticExperiment(table, spec), dir),
  };
}
