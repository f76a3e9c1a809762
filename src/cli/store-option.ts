import { resolve } from 'node:path';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';

export const DEFAULT_STORE = '.morphling/morphling.db';

export function storePath(option: string | undefined): string {
  return resolve(option ?? process.env.MORPHLING_STORE ?? DEFAULT_STORE);
}

export async function openStore(option: string | undefined): Promise<Store> {
  return openSqliteStore(storePath(option));
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
