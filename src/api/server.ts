import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { BenchRunsReader } from '../bench/runs-files.js';
import { ExperimentManager } from '../controller/experiment-manager.js';
import { ExperimentOperator } from '../operator/operator.js';
import type { KubeClient } from '../runners/kubernetes/api-client.js';
import type { Store } from '../store/store.js';
import { registerAuth } from './auth.js';
import { sendError } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import { benchRoutes } from './routes/bench.js';
import { eventRoutes } from './routes/events.js';
import { experimentRoutes } from './routes/experiments.js';
import { DEFAULT_UI_DIR, registerStatic } from './static.js';
import { JSON_TYPE, YAML_TYPES } from './submission.js';

/** Experiment documents are small; this bounds what one request can make the server hold. */
export const BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  /** Stays open after the server closes: whoever opened it closes it. */
  store: Store;
  /** Require `Authorization: Bearer <token>` on every /api request. */
  token?: string;
  /** The built dashboard; default dist/ui. */
  uiDir?: string;
  /** Relative paths in submitted experiments resolve against it; default the working directory. */
  baseDir?: string;
  /** Resume the experiments a previous server left running (default true). */
  resumeInterrupted?: boolean;
  /** Bench runs files, or folders searched for runs.jsonl, for `GET /api/bench` (absolute paths). */
  bench?: readonly string[];
  /** Run the ProfilingExperiments of this namespace (the operator, src/operator), through this client. */
  watch?: { client: KubeClient; namespace: string };
  /** Where background runs and unexpected errors are reported; default nowhere. */
  log?: (line: string) => void;
}

/**
 * The HTTP API and the dashboard over one store. Submitted experiments run in this process; closing the
 * server stops them cleanly (running trials requeued, the experiments resumed by the next server).
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const log = options.log ?? (() => {});
  const manager = new ExperimentManager(store, log);
  const streams = new Set<() => void>();
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });

  // Bodies arrive as text: the experiment endpoints parse YAML and JSON themselves, to report lines.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([JSON_TYPE, ...YAML_TYPES], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((error, request, reply) => sendError(error as Error, request, reply, log));
  registerAuth(app, options.token);

  const version = packageVersion();
  const openapi = openApiDocument(version);
  app.get('/api/health', async () => ({ ok: true, version }));
  app.get('/api/openapi.json', async () => openapi);
  experimentRoutes(app, { store, manager, baseDir: options.baseDir ?? process.cwd() });
  eventRoutes(app, { store, manager, streams });
  benchRoutes(app, {
    store,
    reader: options.bench && options.bench.length > 0 ? new BenchRunsReader(options.bench) : undefined,
  });
  registerStatic(app, options.uiDir ?? DEFAULT_UI_DIR);

  if (options.resumeInterrupted !== false) {
    app.addHook('onReady', async () => {
      await manager.resumeInterrupted();
    });
  }
  // After the resume above, so that the operator finds the experiments of its objects running again.
  const operator = options.watch
    ? new ExperimentOperator({
        ...options.watch,
        manager,
        store,
        baseDir: options.baseDir ?? process.cwd(),
        log,
      })
    : undefined;
  if (operator) app.addHook('onReady', async () => operator.start());
  const unused = trackUnusedConnections(app);
  // Open event streams would hold the server open: end them before it stops listening.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
    for (const socket of unused) socket.destroy();
  });
  app.addHook('onClose', async () => {
    await operator?.stop();
    await options.watch?.client.close();
    await manager.close();
  });
  return app;
}

/**
 * Connections that never carried a request (a browser's or client pool's preconnect): Node's
 * server.close() does not count them as idle and would wait for them to time out.
 */
function trackUnusedConnections(app: FastifyInstance): Set<Socket> {
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage) => unused.delete(request.socket));
  return unused;
}

function packageVersion(): string {
  const path = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}
