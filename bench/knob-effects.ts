/**
 * Effect of each knob on the peak RPS of one model: from a base configuration, vary one knob at a
 * time. Evidence that the limits are real and the knobs do what they say.
 * Usage: npx tsx bench/knob-effects.ts [model]   (default resnet-tiny)
 */
import type { Config } from '../src/space/parameter.js';
import { machineLine, markdownTable } from './lib/markdown.js';
import { measureConfig } from './lib/measure-config.js';
import { localExperiment } from './lib/resnet-experiment.js';

const model = process.argv[2] ?? 'resnet-tiny';
const experiment = localExperiment(model);
const runner = await experiment.runner.definition.create(experiment.runner.settings, experiment);
const base: Config = {
  cpu: '1000m',
  MAX_BATCH_SIZE: 1,
  BATCH_DELAY_MS: 0,
  INTRA_OP_THREADS: 1,
  INSTANCES: 1,
};
const sweeps: [string, (string | number)[]][] = [
  ['cpu', ['250m', '500m', '750m', '1000m']],
  ['MAX_BATCH_SIZE', [1, 4, 16]],
  ['BATCH_DELAY_MS', [0, 2, 5]],
  ['INTRA_OP_THREADS', [1, 2]],
  ['INSTANCES', [1, 2]],
];
const rows = [];
try {
  for (const [knob, values] of sweeps) {
    for (const value of values) {
      const config = { ...base, [knob]: value, ...(knob === 'BATCH_DELAY_MS' ? { MAX_BATCH_SIZE: 8 } : {}) };
      const m = await measureConfig(runner, experiment, config);
      rows.push([
        knob,
        String(value),
        Object.entries(config)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        m.rps,
        m.p99Ms,
      ]);
    }
  }
} finally {
  await runner.close?.();
}
console.log(
  `# Knob effects: ${model}, SLO p99 <= 100 ms, one knob varied at a time\n\n${await machineLine()}\n`,
);
console.log(markdownTable(['knob', 'value', 'configuration', 'peak rps', 'p99 ms at peak'], rows));
