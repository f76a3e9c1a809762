import { z } from 'zod';
import { ExperimentDocumentSchema } from '../spec/schema.js';
import { BenchQuery, components, DeleteQuery, NameParams } from './schemas.js';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});
const error = (description: string) => json('Error', description);
const notFound = error('no experiment (or trial) of that name');

/** The experiment document as a request body, in either of the accepted syntaxes. */
const experimentBody = {
  required: true,
  description: 'a ProfilingExperiment document, as in the CLI`s experiment files',
  content: Object.fromEntries(
    ['application/yaml', 'text/yaml', 'text/plain', 'application/json'].map((type) => [
      type,
      { schema: ref('ExperimentDocument') },
    ]),
  ),
};

/**
 * The OpenAPI 3.1 document of the HTTP API. Its schemas are generated with `z.toJSONSchema` from the
 * zod schemas the server parses requests with (src/api/schemas.ts) and from the experiment file's own
 * schema, so the document cannot drift from the code.
 */
export function openApiDocument(version: string): JsonObject {
  const schemas = generated();
  const name = { name: 'name', in: 'path', required: true, schema: schemaOf(NameParams.shape.name) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Morphling API',
      version,
      description:
        'Submit and follow experiments that tune model-serving configurations. When the server was ' +
        'started with a token, every /api request needs `Authorization: Bearer <token>` (event streams ' +
        'also accept `?token=`).',
    },
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearerAuth: [] }, {}],
    paths: {
      '/api/health': { get: { summary: 'liveness and version', responses: { 200: json('Health', 'up') } } },
      '/api/openapi.json': {
        get: {
          summary: 'this document',
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
      '/api/experiments': {
        get: {
          summary: 'experiments with their trial counts and best objective',
          responses: { 200: json('ExperimentList', 'the experiments in the store') },
        },
        post: {
          summary: 'submit an experiment; it starts running in the background',
          requestBody: experimentBody,
          responses: {
            201: json('ExperimentCreated', 'stored and started'),
            400: json('InvalidExperiment', 'the document is invalid; one problem per field'),
            409: error('an experiment of that name exists'),
            413: error('the body is larger than 1 MiB'),
            415: error('not YAML or JSON'),
          },
        },
      },
      '/api/validate': {
        post: {
          summary: 'validate an experiment document without storing it',
          requestBody: experimentBody,
          responses: { 200: json('Validation', 'valid with a summary, or the problems') },
        },
      },
      '/api/experiments/{name}': {
        parameters: [name],
        get: {
          summary: 'an experiment with its search space, objective and best trial',
          responses: { 200: json('ExperimentDetail', 'the experiment'), 404: notFound },
        },
        delete: {
          summary: 'delete an experiment with its trials and events',
          parameters: [
            {
              name: 'force',
              in: 'query',
              required: false,
              description: 'stop it first if it is running',
              schema: schemaOf(DeleteQuery.shape.force),
            },
          ],
          responses: {
            204: { description: 'deleted' },
            404: notFound,
            409: error('it is running and force is not set'),
          },
        },
      },
      '/api/experiments/{name}/trials': {
        parameters: [name],
        get: {
          summary: 'the trials with their configurations, metrics and load curves',
          responses: { 200: json('TrialList', 'in creation order'), 404: notFound },
        },
      },
      '/api/experiments/{name}/trials/{seq}': {
        parameters: [name, { name: 'seq', in: 'path', required: true, schema: schemaOf(z.int().positive()) }],
        get: { summary: 'one trial', responses: { 200: json('TrialDetail', 'the trial'), 404: notFound } },
      },
      '/api/experiments/{name}/stop': {
        parameters: [name],
        post: {
          summary: 'stop a running experiment; its running trials are requeued',
          responses: { 202: { description: 'stopping' }, 404: notFound, 409: error('it is not running') },
        },
      },
      '/api/experiments/{name}/resume': {
        parameters: [name],
        post: {
          summary: 'continue a stopped, failed or finished experiment',
          requestBody: {
            required: false,
            content: { 'application/json': { schema: ref('ResumeRequest') } },
          },
          responses: {
            202: { description: 'resuming' },
            400: error('invalid body'),
            404: notFound,
            409: error('it is already running'),
          },
        },
      },
      '/api/bench': {
        get: {
          summary:
            'the search-cost bench runs found in the runs.jsonl files given to `morphling serve --bench`',
          description:
            'Read from disk on every request. A line that is not a run is listed with its source file ' +
            '(`problems`), not fatal; a server started without bench files answers with none.',
          parameters: (['objective', 'table'] as const).map((key) => ({
            name: key,
            in: 'query',
            required: false,
            description:
              key === 'objective'
                ? 'only runs under this bench objective'
                : 'only runs on this table (model name)',
            schema: schemaOf(BenchQuery.shape[key]),
          })),
          responses: { 200: json('BenchListing', 'the runs, each with the index of its source file') },
        },
      },
      '/api/experiments/{name}/bench': {
        parameters: [name],
        get: {
          summary: 'the bench runs to overlay on the convergence plot of a replay experiment',
          description:
            'The runs on the profile table the experiment replays, under the bench objective that equals ' +
            'its objective, with the table`s optimum (bench curves are best-so-far / optimum); or why none.',
          responses: {
            200: json('ExperimentBenchReply', 'the overlay, or the reason there is none'),
            404: notFound,
          },
        },
      },
      '/api/experiments/{name}/events': {
        parameters: [
          name,
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'the id of the last event received: the stream continues after it',
            schema: schemaOf(z.int().min(0)),
          },
        ],
        get: {
          summary: 'server-sent events: `event:` the type, `data:` a ControllerEvent, `id:` the store`s id',
          responses: {
            200: {
              description: 'the event log so far, then events as they happen',
              content: { 'text/event-stream': { schema: ref('ControllerEvent') } },
            },
            404: notFound,
          },
        },
      },
    },
  };
}

function generated(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(components, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, JsonObject> };
  const all: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) all[id] = bare(schema);
  // The document as a client writes it (defaults may be left out): the schema's input side.
  all.ExperimentDocument = bare(
    z.toJSONSchema(ExperimentDocumentSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject,
  );
  return all;
}

function schemaOf(schema: z.ZodType): JsonObject {
  return bare(z.toJSONSchema(schema) as JsonObject);
}

/** Drops the stand-alone JSON Schema header fields that make no sense inside an OpenAPI document. */
function bare(schema: JsonObject): JsonObject {
  const { $schema: _, $id: __, ...rest } = schema;
  return rest;
}
