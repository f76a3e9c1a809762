import { resolve } from 'node:path';
import { isPostgresUrl, openStoreAt } from '../store/open.js';
import type { Store } from '../store/store.js';

export const DEFAULT_STORE = '.morphling/morphling.db';

/** Help of every command's `--store` option. */
export const STORE_OPTION_HELP =
  'SQLite database file or postgres://user:password@host:port/database URL (default: $MORPHLING_STORE or .morphling/morphling.db)';

/** Where the store is: a PostgreSQL URL as given, or a SQLite path resolved against the working folder. */
export function storeLocation(option: string | undefined): string {
  const location = option ?? process.env.MORPHLING_STORE ?? DEFAULT_STORE;
  return isPostgresUrl(location) ? location : resolve(location);
}

export async function openStore(option: string | undefined): Promise<Store> {
  return openStoreAt(storeLocation(option));
}

/** Runs `body` with an open store and closes it whatever happens. */
export async function withStore<T>(
  option: string | undefined,
  body: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(option);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
