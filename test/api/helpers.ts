import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { stringify } from 'yaml';
import { buildServer, type ServerOptions } from '../../src/api/server.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';

export const dir = mkdtempSync(join(tmpdir(), 'morphling-api-'));
export const table = writeSyntheticTable(dir);
let stores = 0;

export interface TestServer {
  app: FastifyInstance;
  store: SqlStore;
  url: string;
  storePath: string;
  close(): Promise<void>;
}

/** A real fastify server on a free port over a real SQLite store in a temp dir. */
export async function startServer(
  options: Partial<ServerOptions> & { storePath?: string } = {},
): Promise<TestServer> {
  const storePath = options.storePath ?? join(dir, `api-${stores++}.db`);
  const store = await openSqliteStore(storePath);
  const app = await buildServer({ uiDir: join(dir, 'no-ui'), baseDir: dir, ...options, store });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  let closed = false;
  return {
    app,
    store,
    storePath,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}

/** An experiment on the synthetic table (replay runner: trials take `delayMs`), as YAML. */
export function experimentYaml(name: string, spec: Record<string, unknown> = {}): string {
  const document = syntheticExperiment('synthetic.jsonl', spec);
  document.metadata.name = name;
  return stringify(document);
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
  json: any;
}

export async function call(
  url: string,
  options: {
    method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
    body?: string;
    type?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const response = await request(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    body: options.body,
    headers: { ...(options.type ? { 'content-type': options.type } : {}), ...options.headers },
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Polls `check` every 20 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface ServerSentEvent {
  id: number;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: event payloads are checked field by field in the tests
  data: any;
}

/** A client of an event stream that collects the events as they arrive. */
export async function openEvents(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers: { accept: 'text/event-stream', ...headers } });
  const events: ServerSentEvent[] = [];
  let buffer = '';
  const done = (async () => {
    try {
      for await (const chunk of response.body) {
        buffer += chunk.toString();
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
          );
          if (fields.event && fields.data)
            events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // destroyed by close()
    }
  })();
  return {
    status: response.statusCode,
    headers: response.headers,
    events,
    /** Resolves when the server ends the stream. */
    done,
    until: (predicate: (events: ServerSentEvent[]) => boolean, what: string) =>
      waitFor(() => predicate(events), what),
    close: () => response.body.destroy(),
  };
}
