import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExperimentManager } from '../../controller/experiment-manager.js';
import { NotFoundError } from '../../errors.js';
import { experimentOverview } from '../../report/report.js';
import type { ExperimentRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { HttpError, parseRequest } from '../http-errors.js';
import { DeleteQuery, NameParams, ResumeBody, TrialParams } from '../schemas.js';
import { JSON_TYPE, mediaType, validateSubmission } from '../submission.js';

export interface ExperimentRoutesOptions {
  store: Store;
  manager: ExperimentManager;
  /** Relative paths in submitted experiments (a replay table, a meta-model) resolve against it. */
  baseDir: string;
}

/** The experiments and their trials: submit, validate, read, stop, resume, delete. */
export function experimentRoutes(app: FastifyInstance, { store, manager, baseDir }: ExperimentRoutesOptions) {
  const requireExperiment = async (name: string): Promise<ExperimentRecord> => {
    const record = await store.getExperiment(name);
    if (!record) throw new NotFoundError(`no experiment named "${name}"`);
    return record;
  };

  app.get('/api/experiments', async () => ({ experiments: await store.listExperiments() }));

  app.post('/api/experiments', async (request, reply) => {
    const submission = validateSubmission(bodyText(request), request.headers['content-type'], baseDir);
    if (!submission.valid) {
      return reply.code(400).send({ error: 'invalid experiment', problems: submission.problems });
    }
    const experiment = await manager.submit(submission.experiment);
    return reply.code(201).send({ experiment });
  });

  app.post('/api/validate', async (request) => {
    const submission = validateSubmission(bodyText(request), request.headers['content-type'], baseDir);
    if (!submission.valid) return { valid: false, problems: submission.problems };
    const { experiment } = submission;
    return {
      valid: true,
      summary: {
        name: experiment.name,
        spaceSize: experiment.space.size,
        algorithm: experiment.algorithm.definition.name,
        runner: experiment.runner.definition.name,
        maxNumTrials: experiment.maxNumTrials,
      },
    };
  });

  app.get('/api/experiments/:name', async (request) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    const experiment = await requireExperiment(name);
    const best =
      experiment.bestTrialId === undefined ? undefined : await store.getTrial(experiment.bestTrialId);
    // The same summary a report file embeds, read off the stored (validated on the way in) document.
    return { experiment, summary: experimentOverview(experiment), ...(best ? { best } : {}) };
  });

  app.get('/api/experiments/:name/trials', async (request) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    await requireExperiment(name);
    return { trials: await store.listTrials(name) };
  });

  app.get('/api/experiments/:name/trials/:seq', async (request) => {
    const { name, seq } = parseRequest(TrialParams, request.params, 'path');
    await requireExperiment(name);
    const trial = (await store.listTrials(name)).find((t) => t.seq === seq);
    if (!trial) throw new NotFoundError(`experiment "${name}" has no trial #${seq}`);
    return { trial };
  });

  app.post('/api/experiments/:name/stop', async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    await manager.stop(name);
    return reply.code(202).send({ ok: true });
  });

  app.post('/api/experiments/:name/resume', async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    const text = bodyText(request).trim();
    if (text !== '' && mediaType(request.headers['content-type']) !== JSON_TYPE) {
      throw new HttpError(415, 'the body of resume must be JSON (Content-Type: application/json)');
    }
    const changes = parseRequest(ResumeBody, text === '' ? {} : parseJson(text), 'body');
    await manager.resume(name, changes);
    return reply.code(202).send({ ok: true });
  });

  app.delete('/api/experiments/:name', async (request, reply) => {
    const { name } = parseRequest(NameParams, request.params, 'path');
    const { force } = parseRequest(DeleteQuery, request.query, 'query');
    await manager.remove(name, force === 'true');
    return reply.code(204).send();
  });
}

/** The content-type parsers hand every accepted body over as text; no body is an empty one. */
function bodyText(request: FastifyRequest): string {
  return typeof request.body === 'string' ? request.body : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}
