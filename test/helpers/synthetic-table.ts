import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfileTable, PROFILE_FORMAT, type ProfileRow } from '../../src/profile/table.js';
import type { ParameterSpec } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';

/**
 * A SYNTHETIC profile table for tests: a made-up surface with the shapes the paper describes
 * (throughput grows with batch size and saturates, extra cores stop helping, too little memory fails).
 * It is not a measurement of anything.
 */
export const SYNTHETIC_SPACE: ParameterSpec[] = [
  {
    name: 'cpu',
    category: 'resource',
    parameterType: 'discrete',
    feasibleSpace: { list: ['500m', '1', '1500m', '2'] },
  },
  {
    name: 'memory',
    category: 'resource',
    parameterType: 'discrete',
    feasibleSpace: { list: ['256Mi', '512Mi', '1Gi'] },
  },
  {
    name: 'MAX_BATCH_SIZE',
    category: 'env',
    parameterType: 'discrete',
    feasibleSpace: { list: [1, 2, 4, 8, 16, 32] },
  },
  { name: 'threads', category: 'args', parameterType: 'int', feasibleSpace: { min: 1, max: 2 } },
];

export function syntheticRows(specs: ParameterSpec[] = SYNTHETIC_SPACE): ProfileRow[] {
  const space = new SearchSpace(specs);
  return [...space.configs()].map((config): ProfileRow => {
    const cores = Number(String(config.cpu).replace('m', '')) / (String(config.cpu).endsWith('m') ? 1000 : 1);
    const batch = Number(config.MAX_BATCH_SIZE);
    const threads = Number(config.threads);
    if (config.memory === '256Mi' && batch >= 16) {
      return { config, status: 'infeasible', metrics: {}, reason: 'OOM-killed at 256Mi (synthetic)' };
    }
    const perCore = 40 * (1 - Math.exp(-batch / 6)) * (threads === 2 && cores >= 1.5 ? 1.15 : 1);
    const rps = perCore * Math.min(cores, 1.6) * (config.memory === '1Gi' ? 1.02 : 1);
    const p99Ms = 20 + (batch * 6) / Math.min(cores, 1.6);
    return {
      config,
      status: 'succeeded',
      metrics: { rps: Number(rps.toFixed(3)), samplesPerSec: rps, p99Ms, p50Ms: p99Ms / 2 },
    };
  });
}

export function writeSyntheticTable(dir: string, name = 'synthetic.jsonl', specs = SYNTHETIC_SPACE): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    formatProfileTable(
      {
        format: PROFILE_FORMAT,
        model: { name: 'synthetic', family: 'synthetic' },
        space: specs,
        synthetic: true,
      },
      syntheticRows(specs),
    ),
  );
  return path;
}

/** A minimal valid experiment document around the synthetic table; override fields per test. */
export function syntheticExperiment(tablePath: string, overrides: Record<string, unknown> = {}) {
  const byCategory = new Map<string, ParameterSpec[]>();
  for (const p of SYNTHETIC_SPACE) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  return {
    apiVersion: 'tuning.kubedl.io/v1alpha1',
    kind: 'ProfilingExperiment',
    metadata: { name: 'synthetic' },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'rps' },
      algorithm: { algorithmName: 'grid' },
      maxNumTrials: 10,
      tunableParameters: [...byCategory].map(([category, parameters]) => ({
        category,
        parameters: parameters.map(({ category: _, ...rest }) => rest),
      })),
      runner: { name: 'replay', settings: { table: tablePath } },
      ...overrides,
    },
  };
}
