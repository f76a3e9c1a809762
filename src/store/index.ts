export { isPostgresUrl, openStoreAt } from './open.js';
export { openPostgresStore } from './postgres.js';
export * from './records.js';
export { SqlStore } from './sql-store.js';
export { openSqliteStore } from './sqlite.js';
export type { Store } from './store.js';
