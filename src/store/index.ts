export * from './records.js';
export { openSqliteStore } from './sqlite.js';
export { SqlStore } from './sql-store.js';
export type { Store } from './store.js';
