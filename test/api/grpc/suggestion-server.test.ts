import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algorithmNames } from '../../../src/algorithms/registry.js';
import { type AlgorithmServer, startAlgorithmServer } from '../../../src/api/grpc/server.js';
import {
  type Assignment,
  type Outcome,
  type ParameterSpec,
  results,
  type SamplingRequest,
  SuggestionClient,
} from './client.js';

let server: AlgorithmServer;
let client: SuggestionClient;

beforeAll(async () => {
  server = await startAlgorithmServer({ port: 0 });
  client = new SuggestionClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

/** Every parameter type, with spellings the answers must keep (`0.10`, `500m`). */
const MIXED: ParameterSpec[] = [
  { name: 'cpu', parameter_type: 'DISCRETE', feasible_space: ['500m', '1', '2'] },
  { name: 'MAX_BATCH_SIZE', parameter_type: 'INT', feasible_space: ['1', '2', '4', '8'] },
  { name: 'ratio', parameter_type: 'DOUBLE', feasible_space: ['0.10', '0.20', '0.30'] },
  { name: 'precision', parameter_type: 'CATEGORICAL', feasible_space: ['fp32', 'fp16'] },
];
const MIXED_SIZE = 3 * 4 * 3 * 2;

function key(a: Assignment): string {
  return JSON.stringify(
    Object.keys(a)
      .sort()
      .map((k) => [k, a[k]]),
  );
}

/** Each assignment names every parameter once, with a value spelled exactly as in its feasible space. */
function expectValid(assignments: readonly Assignment[], parameters: readonly ParameterSpec[]): void {
  for (const a of assignments) {
    expect(Object.keys(a).sort()).toEqual(parameters.map((p) => p.name).sort());
    for (const p of parameters) expect(p.feasible_space).toContain(a[p.name]);
  }
}

function expectInvalid(outcome: Outcome<unknown>, ...fragments: string[]): void {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error.code).toBe(status.INVALID_ARGUMENT);
  for (const fragment of fragments) expect(outcome.error.details).toContain(fragment);
}

describe('gRPC algorithm server: GetSuggestions', () => {
  it.each(algorithmNames())(
    'serves %s: a first request gets the requested number of distinct, valid assignments',
    async (name) => {
      const assignments = await client.suggest({
        is_first_request: true,
        algorithm_name: name,
        required_sampling: 3,
        is_maximize: true,
        sampling_number_specified: 20,
        parameters: MIXED,
      });
      expect(assignments).toHaveLength(3);
      expectValid(assignments, MIXED);
      expect(new Set(assignments.map(key)).size).toBe(3);
    },
  );

  it.each(['random', 'bo'])('%s never repeats an existing result over successive calls', async (name) => {
    const objective = (a: Assignment) =>
      Number(a.MAX_BATCH_SIZE) * (a.precision === 'fp16' ? 2 : 1) + Number(a.ratio);
    const tried: Assignment[] = [];
    for (let round = 0; round < 4; round++) {
      const next = await client.suggest({
        algorithm_name: name,
        required_sampling: 4,
        is_maximize: true,
        existing_results: results(tried, objective),
        parameters: MIXED,
      });
      expect(next).toHaveLength(4);
      expectValid(next, MIXED);
      tried.push(...next);
      expect(new Set(tried.map(key)).size).toBe(tried.length);
    }
  });

  it('round-trips every parameter type: the whole grid comes back spelled as sent, and past results may be spelled otherwise', async () => {
    const parameters: ParameterSpec[] = [
      ...MIXED,
      // Repeated values (the controller's %.2g prints 101 and 102 alike) are one value.
      { name: 'scale', parameter_type: 'DOUBLE', feasible_space: ['1e+02', '1e+02', '1.5e+02'] },
      // An evenly spaced int range.
      { name: 'threads', parameter_type: 'INT', feasible_space: ['2', '4', '6'] },
    ];
    const size = MIXED_SIZE * 2 * 3;
    const all = await client.suggest({ algorithm_name: 'grid', required_sampling: size, parameters });
    expect(all).toHaveLength(size);
    expectValid(all, parameters);
    expect(new Set(all.map(key)).size).toBe(size);
    for (const p of parameters) {
      expect(new Set(all.map((a) => a[p.name]))).toEqual(new Set(p.feasible_space));
    }

    // Every configuration but the last, written as another client might (0.1 for 0.10, 0.5 for 500m).
    const respelled = all.slice(0, -1).map((a) => ({
      ...a,
      ratio: String(Number(a.ratio)),
      cpu: a.cpu === '500m' ? '0.5' : (a.cpu as string),
      scale: String(Number(a.scale)),
    }));
    const last = await client.suggest({
      algorithm_name: 'random',
      required_sampling: 1,
      existing_results: results(respelled, () => 1),
      parameters,
    });
    expect(last).toEqual([all[all.length - 1]]);

    expectInvalid(
      await client.getSuggestions({
        algorithm_name: 'random',
        required_sampling: 1,
        existing_results: results(all, () => 1),
        parameters,
      }),
      'required_sampling: the space has 432 configurations and 432 are already tried: cannot provide 1 more',
    );
  });

  it('answers concurrent calls, each with its own assignments', async () => {
    const calls = ['bo', 'random', 'grid', 'bo'].map((name, i) =>
      client.suggest({
        algorithm_name: name,
        algorithm_extra_settings: name === 'grid' ? [] : [{ key: 'seed', value: String(i + 1) }],
        required_sampling: 2 + i,
        parameters: MIXED,
      }),
    );
    const answers = await Promise.all(calls);
    answers.forEach((assignments, i) => {
      expect(assignments).toHaveLength(2 + i);
      expectValid(assignments, MIXED);
      expect(new Set(assignments.map(key)).size).toBe(assignments.length);
    });
  });

  it('a NaN objective is a failed trial: accepted, never suggested again', async () => {
    const parameters: ParameterSpec[] = [
      { name: 'x', parameter_type: 'INT', feasible_space: ['1', '2', '3'] },
    ];
    const rest = await client.suggest({
      algorithm_name: 'bo',
      required_sampling: 2,
      is_maximize: true,
      existing_results: [{ parameter_assignments: [{ key: 'x', value: '2' }], object_value: Number.NaN }],
      parameters,
    });
    expect(rest.map((a) => a.x).sort()).toEqual(['1', '3']);
  });

  it('maximize and minimize lead bo to the maximum and to the minimum of the same objective', async () => {
    // A smooth objective over 21 x 11 configurations: peak 100 at (14, 0.7), lowest at the corner (0, 0).
    const xs = Array.from({ length: 21 }, (_, i) => String(i));
    const ys = Array.from({ length: 11 }, (_, i) => (i / 10).toFixed(1));
    const parameters: ParameterSpec[] = [
      { name: 'threads', parameter_type: 'INT', feasible_space: xs },
      { name: 'ratio', parameter_type: 'DOUBLE', feasible_space: ys },
    ];
    const f = (a: Assignment) => 100 - (Number(a.threads) - 14) ** 2 / 2 - 150 * (Number(a.ratio) - 0.7) ** 2;
    const values = xs.flatMap((x) => ys.map((y) => f({ threads: x, ratio: y })));
    const max = Math.max(...values);
    const min = Math.min(...values);

    const search = async (maximize: boolean) => {
      const tried: Assignment[] = [];
      for (let round = 0; round < 15; round++) {
        const next = await client.suggest({
          algorithm_name: 'bo',
          algorithm_extra_settings: [{ key: 'seed', value: '3' }],
          required_sampling: 1,
          sampling_number_specified: 15,
          is_maximize: maximize,
          is_first_request: round === 0,
          existing_results: results(tried, f),
          parameters,
        });
        expect(next).toHaveLength(1);
        tried.push(...next);
      }
      return tried.map(f);
    };
    const up = await search(true);
    const down = await search(false);
    expect(Math.max(...up)).toBeGreaterThanOrEqual(max - 2);
    expect(Math.min(...down)).toBe(min);
    // After the corner design the two searches go opposite ways.
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(up.slice(4))).toBeGreaterThan(mean(down.slice(4)) + 50);
  });

  it('refuses malformed requests with INVALID_ARGUMENT naming each field', async () => {
    const base: SamplingRequest = { algorithm_name: 'random', required_sampling: 1, parameters: MIXED };
    const ask = (patch: Partial<SamplingRequest>) => client.getSuggestions({ ...base, ...patch });
    expectInvalid(
      await ask({ algorithm_name: 'randm' }),
      'algorithm_name: unknown algorithm "randm" (did you mean "random"?); known: bo, ernest',
    );
    expectInvalid(await ask({ algorithm_name: '' }), 'algorithm_name: is required');
    expectInvalid(await ask({ required_sampling: 0 }), 'required_sampling: must be at least 1', 'got 0');
    expectInvalid(await ask({ required_sampling: -2 }), 'required_sampling: must be at least 1', 'got -2');
    expectInvalid(await ask({ parameters: [] }), 'parameters: must list at least one parameter');
    expectInvalid(
      await ask({
        parameters: [
          { name: 'a', parameter_type: 'UNKNOWN_TYPE', feasible_space: ['1'] },
          { name: 'b', parameter_type: 7, feasible_space: ['1'] },
          { name: 'c', parameter_type: 'INT', feasible_space: [] },
          { name: 'd', parameter_type: 'INT', feasible_space: ['1', '2.5'] },
          { name: 'e', parameter_type: 'DOUBLE', feasible_space: ['0.1', 'abc'] },
          { name: 'f', parameter_type: 'DISCRETE', feasible_space: ['fast'] },
          { name: 'f', parameter_type: 'CATEGORICAL', feasible_space: ['x'] },
          { name: '', parameter_type: 'CATEGORICAL', feasible_space: ['x'] },
        ],
      }),
      'parameters[0].parameter_type: must be one of INT, DOUBLE, DISCRETE, CATEGORICAL; got "UNKNOWN_TYPE"',
      'parameters[1].parameter_type: must be one of INT, DOUBLE, DISCRETE, CATEGORICAL; got 7',
      'parameters[2].feasible_space: must list at least one value',
      'parameters[3].feasible_space[1]: "2.5" is not an integer',
      'parameters[4].feasible_space[1]: "abc" is not a number',
      'parameters[5].feasible_space[0]: "fast" is not a number or quantity (use CATEGORICAL for names)',
      'parameters[6].name: duplicates the name of parameters[5] ("f")',
      'parameters[7].name: must not be empty',
    );
    expectInvalid(
      await ask({
        parameters: [
          {
            name: 'x',
            parameter_type: 'INT',
            feasible_space: Array.from({ length: 3000 }, (_, i) => String(i)),
          },
          {
            name: 'y',
            parameter_type: 'INT',
            feasible_space: Array.from({ length: 3000 }, (_, i) => String(i)),
          },
        ],
      }),
      'parameters: the space has 9000000 configurations (limit 5000000)',
    );
    const assignment = (pairs: [string, string][]) => pairs.map(([key, value]) => ({ key, value }));
    expectInvalid(
      await ask({
        existing_results: [
          {
            parameter_assignments: assignment([
              ['cpu', '1'],
              ['MAX_BATCH_SIZE', '2'],
              ['ratio', '0.1'],
              ['precison', 'fp32'],
            ]),
            object_value: 1,
          },
          {
            parameter_assignments: assignment([
              ['cpu', '3'],
              ['MAX_BATCH_SIZE', '2'],
              ['ratio', '0.1'],
              ['precision', 'fp32'],
            ]),
            object_value: 1,
          },
          {
            parameter_assignments: assignment([
              ['cpu', '1'],
              ['MAX_BATCH_SIZE', '2'],
            ]),
            object_value: 1,
          },
          {
            parameter_assignments: assignment([
              ['cpu', '1'],
              ['cpu', '2'],
              ['MAX_BATCH_SIZE', '2'],
              ['ratio', '0.1'],
              ['precision', 'fp32'],
            ]),
            object_value: 1,
          },
          {
            parameter_assignments: assignment([
              ['cpu', '1'],
              ['MAX_BATCH_SIZE', '2'],
              ['ratio', '0.1'],
              ['precision', 'fp32'],
            ]),
            object_value: Number.POSITIVE_INFINITY,
          },
        ],
      }),
      'existing_results[0].parameter_assignments[3].key: unknown parameter "precison" (did you mean "precision"?)',
      'existing_results[1].parameter_assignments[0].value: "3" is not in the feasible space of "cpu"',
      'existing_results[2].parameter_assignments: no value for "ratio", "precision"',
      'existing_results[3].parameter_assignments[1].key: parameter "cpu" is assigned twice',
      'existing_results[4].object_value: must be a finite number (or NaN for a trial that produced no value), got Infinity',
    );
    expectInvalid(
      await ask({
        algorithm_name: 'bo',
        algorithm_extra_settings: [
          { key: 'seed', value: 'abc' },
          { key: 'acquisiton', value: 'ei' },
          { key: 'xi', value: '0.1' },
          { key: 'xi', value: '0.2' },
        ],
      }),
      'algorithm_extra_settings[3].key: setting "xi" is given twice (also at algorithm_extra_settings[2])',
    );
    expectInvalid(
      await ask({
        algorithm_name: 'bo',
        algorithm_extra_settings: [
          { key: 'seed', value: 'abc' },
          { key: 'acquisiton', value: 'ei' },
        ],
      }),
      'algorithm_extra_settings[0].value: seed expected a number, got "abc"',
      'algorithm_extra_settings[1].key: unknown setting "acquisiton" for algorithm bo (did you mean "acquisition"?)',
    );
    expectInvalid(
      await ask({
        algorithm_name: 'bo',
        algorithm_extra_settings: [{ key: 'designKnobs', value: 'precision' }],
      }),
      'algorithm_extra_settings[0].value: designKnobs: "precision" is categorical, not numeric',
    );
  });

  it('enforces the trial budget of sampling_number_specified, like the upstream service', async () => {
    const ok = await client.getSuggestions({
      algorithm_name: 'grid',
      required_sampling: 3,
      sampling_number_specified: 4,
      parameters: MIXED,
    });
    expect(ok.ok).toBe(true);
    const existing = results(
      await client.suggest({ algorithm_name: 'grid', required_sampling: 2, parameters: MIXED }),
      () => 1,
    );
    expectInvalid(
      await client.getSuggestions({
        algorithm_name: 'grid',
        required_sampling: 3,
        sampling_number_specified: 4,
        existing_results: existing,
        parameters: MIXED,
      }),
      'required_sampling: 2 existing results and 3 more exceed sampling_number_specified (4)',
    );
    expectInvalid(
      await client.getSuggestions({
        algorithm_name: 'grid',
        required_sampling: 1,
        sampling_number_specified: -1,
        parameters: MIXED,
      }),
      'sampling_number_specified: must be 0',
    );
  });

  it('answers FAILED_PRECONDITION when the meta-model a setting names cannot be read', async () => {
    const outcome = await client.getSuggestions({
      algorithm_name: 'morphling',
      algorithm_extra_settings: [{ key: 'metamodel', value: '/nonexistent/morphling.json' }],
      required_sampling: 1,
      parameters: MIXED,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe(status.FAILED_PRECONDITION);
    expect(outcome.error.details).toBe(
      'algorithm_extra_settings[0].value (metamodel): /nonexistent/morphling.json: cannot read the meta-model (ENOENT)',
    );
  });
});

describe('gRPC algorithm server: ValidateAlgorithmSettings', () => {
  it('accepts valid settings, with or without parameters', async () => {
    for (const request of [
      { algorithm_name: 'grid' },
      { algorithm_name: 'random', algorithm_extra_settings: [{ key: 'seed', value: '7' }] },
      {
        algorithm_name: 'bo',
        algorithm_extra_settings: [
          { key: 'acquisition', value: 'ucb' },
          { key: 'designKnobs', value: 'cpu,MAX_BATCH_SIZE' },
        ],
        sampling_number_specified: 10,
        is_maximize: true,
        parameters: MIXED,
      },
      { algorithm_name: 'morphling', algorithm_extra_settings: [{ key: 'delta', value: '0.5' }] },
    ]) {
      const outcome = await client.validate(request);
      expect(outcome).toEqual({ ok: true, value: {} });
    }
  });

  it('rejects bad settings, unknown algorithms and bad parameters with INVALID_ARGUMENT', async () => {
    expectInvalid(
      await client.validate({
        algorithm_name: 'bo',
        algorithm_extra_settings: [{ key: 'acquisition', value: 'pi' }],
      }),
      'algorithm_extra_settings[0].value: acquisition must be one of ei, ucb; got "pi"',
    );
    expectInvalid(
      await client.validate({
        algorithm_name: 'grid',
        algorithm_extra_settings: [{ key: 'seed', value: '1' }],
      }),
      'algorithm_extra_settings[0].key: unknown setting "seed" for algorithm grid; it takes none',
    );
    expectInvalid(
      await client.validate({
        algorithm_name: 'random',
        algorithm_extra_settings: [{ key: 'seed', value: '-1' }],
      }),
      'algorithm_extra_settings[0].value: seed',
    );
    expectInvalid(
      await client.validate({ algorithm_name: 'hyperband' }),
      'algorithm_name: unknown algorithm "hyperband"',
    );
    expectInvalid(
      await client.validate({
        algorithm_name: 'bo',
        parameters: [{ name: 'cpu', parameter_type: 'INT', feasible_space: ['1', '3.5'] }],
      }),
      'parameters[0].feasible_space[1]: "3.5" is not an integer',
    );
    expectInvalid(
      await client.validate({
        algorithm_name: 'ernest',
        algorithm_extra_settings: [{ key: 'designKnobs', value: 'memory' }],
        parameters: MIXED,
      }),
      'algorithm_extra_settings[0].value: designKnobs: "memory" is not a parameter of the search space',
    );
  });
});

describe('gRPC algorithm server: health', () => {
  it('reports SERVING for the whole server, the service and the upstream probe name', async () => {
    for (const name of ['', 'api.suggestion.Suggestion', 'algorithm.probe']) {
      expect(await client.check(name)).toEqual({ ok: true, value: { status: 'SERVING' } });
    }
    const unknown = await client.check('nope');
    expect(unknown.ok ? undefined : unknown.error.code).toBe(status.NOT_FOUND);
  });
});
