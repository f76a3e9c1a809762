import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { InfeasibleConfigError, SpecError, TrialFaultError } from '../errors.js';
import { readProfileTable, rowMeasurement } from '../profile/table.js';
import { defineRunner } from './definition.js';

/**
 * Answers each trial from a recorded profile table instead of starting a server: for benchmarks of the
 * search algorithms, for tests, and for re-running an experiment against measurements made elsewhere.
 */
export const replay = defineRunner({
  name: 'replay',
  description: 'looks each configuration up in a recorded profile table',
  settings: z.strictObject({
    /** Path of the profile table (JSON lines), relative to the experiment file. */
    table: z.string().min(1),
    /** How long each replayed trial takes, to rehearse timing, parallelism and interruption. */
    delayMs: z.number().min(0).default(0),
  }),
  async create(settings, experiment) {
    const path = resolve(experiment.baseDir, settings.table);
    const table = await readProfileTable(path);
    const tableNames = table.space.parameters.map((p) => p.name).sort();
    const specNames = experiment.space.parameters.map((p) => p.name).sort();
    if (tableNames.join() !== specNames.join()) {
      throw new SpecError([
        {
          path: 'spec.runner.settings.table',
          message: `the table's parameters (${tableNames.join(', ')}) differ from the experiment's (${specNames.join(', ')})`,
        },
      ]);
    }
    return {
      name: 'replay',
      async start({ config, signal }) {
        const row = table.lookup(config);
        if (!row) {
          throw new TrialFaultError(
            `configuration ${JSON.stringify(config)} is not in the profile table ${path}`,
            'not-in-table',
            {
              retryable: false,
            },
          );
        }
        if (settings.delayMs > 0) await sleep(settings.delayMs, undefined, { signal });
        if (row.status === 'infeasible')
          throw new InfeasibleConfigError(row.reason ?? 'recorded as infeasible');
        if (row.status === 'failed') {
          throw new TrialFaultError(row.reason ?? 'recorded as failed', 'recorded-failure', {
            retryable: false,
          });
        }
        return { limits: { replayedFrom: path }, recorded: rowMeasurement(row), stop: async () => {} };
      },
    };
  },
});
