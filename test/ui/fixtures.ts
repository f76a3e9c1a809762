import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SearchSpace } from '../../src/space/search-space.js';
import { resolveExperiment } from '../../src/spec/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { morphling } from '../helpers/cli.js';
import { SYNTHETIC_SPACE, syntheticExperiment, writeSyntheticTable } from '../helpers/synthetic-table.js';
import { syntheticLoadCurve } from './load-curve.js';

/** Runs a replay experiment over the SYNTHETIC table with the real CLI; returns the experiment's name. */
export function runSyntheticExperiment(
  dir: string,
  store: string,
  name: string,
  spec: Record<string, unknown> = {},
): string {
  writeSyntheticTable(dir);
  const document = syntheticExperiment('synthetic.jsonl', {
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'seed', value: '3' }] },
    maxNumTrials: 40,
    ...spec,
  });
  document.metadata.name = name;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(document));
  const run = morphling(['run', path, '--store', store]);
  if (run.status !== 0) throw new Error(`morphling run failed: ${run.stderr}`);
  return name;
}

/**
 * An experiment written through the store API whose trials carry SYNTHETIC load curves (the replay
 * runner records none), plus one failed trial with an error message.
 */
export async function storeLoadCurveExperiment(dir: string, store: string, name: string): Promise<void> {
  const document = syntheticExperiment(join(dir, 'synthetic.jsonl'), {
    maxNumTrials: 5,
    slo: { percentile: 99, latencyMs: 100 },
  });
  document.metadata.name = name;
  const resolved = resolveExperiment(document, dir);
  const space = new SearchSpace(SYNTHETIC_SPACE);
  const db = await openSqliteStore(store);
  try {
    await db.createExperiment({ name, document: resolved.document, baseDir: dir });
    await db.setExperimentStatus(name, 'running');
    const configs = [space.configAt(5), space.configAt(77), space.configAt(140), space.configAt(30)];
    const trials = await db.addTrials(
      name,
      configs.map((config) => ({ config, configKey: space.key(config) })),
    );
    const peaks = [120, 260, 180];
    for (const [i, trial] of trials.entries()) {
      await db.startTrial(trial.id, 'local');
      const peak = peaks[i];
      if (peak === undefined) {
        await db.finishTrial(trial.id, {
          status: 'failed',
          errorClass: 'TrialFaultError',
          errorMessage: 'the serving instance exited with code 1 before it was ready (synthetic)',
        });
        continue;
      }
      const curve = syntheticLoadCurve(peak);
      const atPeak = curve.filter((l) => l.sloMet).sort((a, b) => b.achievedRps - a.achievedRps)[0];
      await db.finishTrial(trial.id, {
        status: 'succeeded',
        objective: atPeak?.achievedRps ?? 0,
        score: atPeak?.achievedRps ?? 0,
        metrics: { rps: atPeak?.achievedRps ?? 0, p99Ms: atPeak?.p99Ms, cpuSeconds: 12.5 + i },
        limits: { cpuQuotaCores: 1 },
        loadCurve: curve,
      });
    }
    await db.refreshBestTrial(name);
    await db.setExperimentStatus(name, 'succeeded', 'budget spent (synthetic)');
  } finally {
    await db.close();
  }
}
