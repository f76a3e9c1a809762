import { isDeepStrictEqual } from 'node:util';
import { SpecError } from '../errors.js';
import { objectiveValue, score } from '../objective/objective.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { TrialOutcome } from '../store/records.js';
import type { Store } from '../store/store.js';
import { profiledModelName } from './profile-experiment.js';
import { type ProfileTable, rowMeasurement } from './table.js';

/**
 * Copies the rows of a profile table written by an earlier run into a store that has never seen its
 * profiling experiment, as finished trials, so the run goes on where the table ends. A corpus is
 * profiled over several sessions on fresh machines: the table is committed, the store is not.
 * Resolves to the number of rows taken over (0 when the store already knows the experiment).
 */
export async function resumeFromTable(
  store: Store,
  experiment: ResolvedExperiment,
  table: ProfileTable,
  source: string,
): Promise<number> {
  if ((await store.getExperiment(experiment.name)) || table.rows.length === 0) return 0;
  const model = profiledModelName(experiment.service?.model ?? 'unknown');
  if (table.header.model.name !== model) {
    throw new SpecError([
      { path: source, message: `holds a table of model '${table.header.model.name}', not '${model}'` },
    ]);
  }
  if (!isDeepStrictEqual(table.space.toJSON(), experiment.space.toJSON())) {
    throw new SpecError([
      {
        path: source,
        message: "was profiled over another space than the spec's; move it away to start over",
      },
    ]);
  }
  await store.createExperiment({
    name: experiment.name,
    document: experiment.document,
    baseDir: experiment.baseDir,
  });
  const trials = await store.addTrials(
    experiment.name,
    table.rows.map((row) => ({ config: row.config, configKey: experiment.space.key(row.config) })),
  );
  for (const [index, trial] of trials.entries()) {
    const row = table.rows[index] as ProfileTable['rows'][number];
    await store.startTrial(trial.id, experiment.runner.definition.name);
    const metrics = rowMeasurement(row);
    const outcome: TrialOutcome = {
      status: row.status,
      // A row that never got a measurement (failed to start, say) stays without one.
      ...(Object.keys(row.metrics).length > 0 ? { metrics } : {}),
      ...(row.reason ? { errorClass: row.status, errorMessage: row.reason } : {}),
      ...(row.limits ? { limits: row.limits as TrialOutcome['limits'] } : {}),
    };
    if (row.status === 'succeeded') {
      const value = objectiveValue(experiment.objective, metrics, row.config);
      Object.assign(outcome, { objective: value, score: score(experiment.objective.goal, value) });
    }
    await store.finishTrial(trial.id, outcome);
  }
  await store.refreshBestTrial(experiment.name);
  return trials.length;
}
