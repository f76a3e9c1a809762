import type { FastifyInstance } from 'fastify';
import { experimentBench } from '../../bench/experiment-bench.js';
import type { BenchListing } from '../../bench/run-schema.js';
import type { BenchRunsReader } from '../../bench/runs-files.js';
import { NotFoundError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { parseRequest } from '../http-errors.js';
import { BenchQuery, NameParams } from '../schemas.js';

export interface BenchRoutesOptions {
  store: Store;
  /** The runs files of `--bench`; none: the API answers with no runs. */
  reader?: BenchRunsReader;
}

/** The search-cost bench's runs (read from disk on each request) and the overlay of one experiment. */
export function benchRoutes(app: FastifyInstance, { store, reader }: BenchRoutesOptions) {
  const listing = async (): Promise<BenchListing> => (reader ? reader.read() : { sources: [], runs: [] });

  app.get('/api/bench', async (request) => {
    const { objective, table } = parseRequest(BenchQuery, request.query, 'query');
    const all = await listing();
    return {
      sources: all.sources,
      runs: all.runs.filter(
        (run) =>
          (objective === undefined || run.objective === objective) &&
          (table === undefined || run.table === table),
      ),
    };
  });

  app.get('/api/experiments/:name/bench', async (request) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    const experiment = await store.getExperiment(name);
    if (!experiment) throw new NotFoundError(`no experiment named "${name}"`);
    if (!reader) return { reason: 'the server was started without bench runs (morphling serve --bench DIR)' };
    return experimentBench(experiment, await listing());
  });
}
