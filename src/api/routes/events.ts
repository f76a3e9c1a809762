import type { FastifyInstance } from 'fastify';
import type { ExperimentManager } from '../../controller/experiment-manager.js';
import { NotFoundError } from '../../errors.js';
import type { ExperimentDocument } from '../../spec/schema.js';
import type { Store } from '../../store/store.js';
import { EventLogReader, formatServerEvent } from '../event-log.js';
import { parseRequest } from '../http-errors.js';
import { LastEventId, NameParams } from '../schemas.js';

/** A comment line now and then keeps proxies and browsers from timing an idle stream out. */
const HEARTBEAT_MS = 15_000;

export interface EventRoutesOptions {
  store: Store;
  manager: ExperimentManager;
  /** Open streams, each by the function that ends it: closing the server ends them all. */
  streams: Set<() => void>;
}

/**
 * `GET /api/experiments/:name/events`: the experiment's events as server-sent events. A new client gets
 * the whole log, a reconnecting one (`Last-Event-ID`) what it missed; then events as they happen.
 */
export function eventRoutes(app: FastifyInstance, { store, manager, streams }: EventRoutesOptions) {
  // No automatic HEAD route: it would run this handler and hold a body-less stream open.
  app.get('/api/experiments/:name/events', { exposeHeadRoute: false }, async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    const lastId = parseRequest(LastEventId, request.headers['last-event-id'], 'Last-Event-ID header') ?? 0;
    if (!(await store.getExperiment(name))) throw new NotFoundError(`no experiment named "${name}"`);

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');

    const reader = new EventLogReader(store, (key) => manager.recentEvent(name, key));
    let cursor = 0;
    let closed = false;
    const drain = async () => {
      const experiment = await store.getExperiment(name);
      if (!experiment) return end();
      const budget = (experiment.document as ExperimentDocument).spec.maxNumTrials;
      for (const record of await store.listEvents(name, cursor)) {
        cursor = record.id;
        const event = await reader.read(record, budget, record.id > lastId);
        if (event && !closed) raw.write(formatServerEvent(record.id, event));
      }
    };
    const pump = serialised(drain);
    const wake = () => void pump().catch(end);
    const unsubscribe = manager.subscribe(name, (notice) => (notice === 'deleted' ? end() : wake()));
    const heartbeat = setInterval(() => {
      raw.write(': keep-alive\n\n');
      // Also catches what another process (`morphling run` on the same store) wrote meanwhile.
      wake();
    }, HEARTBEAT_MS);
    function end() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(end);
      raw.end();
    }
    streams.add(end);
    raw.on('close', end);
    wake();
  });
}

/** Runs `task` one at a time; calls while it runs coalesce into one more run after it. */
function serialised(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
}
