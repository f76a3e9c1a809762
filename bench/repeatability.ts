/**
 * Repeatability of a trial: the same configuration measured N times (each a fresh server and a fresh
 * peak search); coefficient of variation of the peak RPS. Goal: CV <= 5 %.
 * Usage: npx tsx bench/repeatability.ts [model] [repeats] [cfs period µs] [window ms]
 *        (default resnet-tiny 5 10000 150)
 */
import type { Config } from '../src/space/parameter.js';
import { coefficientOfVariation, machineLine, markdownTable } from './lib/markdown.js';
import { measureConfig } from './lib/measure-config.js';
import { localExperiment } from './lib/resnet-experiment.js';

const model = process.argv[2] ?? 'resnet-tiny';
const repeats = Number(process.argv[3] ?? 5);
const periodMicros = Number(process.argv[4] ?? 10_000);
const windowMs = Number(process.argv[5] ?? 150);
const experiment = localExperiment(
  model,
  100,
  { cpuPeriodMicros: periodMicros },
  { windowMs, warmupMs: windowMs },
);
const runner = await experiment.runner.definition.create(experiment.runner.settings, experiment);
const base = { BATCH_DELAY_MS: 0, INTRA_OP_THREADS: 1, INSTANCES: 1 };
const configs: Config[] = [
  { cpu: '250m', MAX_BATCH_SIZE: 1, ...base },
  { cpu: '500m', MAX_BATCH_SIZE: 4, ...base },
  { cpu: '1000m', MAX_BATCH_SIZE: 4, ...base },
  { cpu: '1000m', MAX_BATCH_SIZE: 8, ...base, BATCH_DELAY_MS: 2 },
];
const rows = [];
const all: number[][] = [];
try {
  for (const config of configs) {
    const rps: number[] = [];
    for (let i = 0; i < repeats; i++) rps.push((await measureConfig(runner, experiment, config)).rps);
    all.push(rps);
    const mean = rps.reduce((a, b) => a + b, 0) / rps.length;
    rows.push([
      `cpu=${config.cpu} batch=${config.MAX_BATCH_SIZE} delay=${config.BATCH_DELAY_MS}`,
      rps.map((r) => r.toFixed(1)).join(', '),
      mean,
      `${(coefficientOfVariation(rps) * 100).toFixed(1)} %`,
    ]);
  }
} finally {
  await runner.close?.();
}
// How often the best of these configurations would change if each were measured once.
let changes = 0;
const bestOf = (pick: number) =>
  all.reduce((best, rps, i) => ((rps[pick] as number) > (all[best]?.[pick] as number) ? i : best), 0);
for (let r = 1; r < repeats; r++) if (bestOf(r) !== bestOf(0)) changes++;
console.log(
  `# Repeatability: ${model}, ${repeats} measurements per configuration, SLO p99 <= 100 ms, ` +
    `CFS period ${periodMicros / 1000} ms, windows ${windowMs} ms\n\n${await machineLine()}\n`,
);
console.log(markdownTable(['configuration', 'peak rps per run', 'mean', 'CV'], rows));
console.log(`\nthe best configuration changed in ${changes} of ${repeats - 1} repeated rounds`);
