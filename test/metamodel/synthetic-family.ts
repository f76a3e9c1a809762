import { SeededRandom } from '../../src/metamodel/random.js';
import { PROFILE_FORMAT, type ProfileRow, ProfileTable } from '../../src/profile/table.js';
import type { ParameterSpec } from '../../src/space/parameter.js';
import { SearchSpace } from '../../src/space/search-space.js';

/**
 * A SYNTHETIC family of profile tables for the meta-model tests — made up by code, not measured. The
 * space mirrors the paper's (CPU cores 1–5, GPU memory share, max batch 1–128 in powers of two, GPU type:
 * 5 × 6 × 8 × 3 = 720 configurations) and every task draws its own constants for the shapes the paper
 * describes: throughput grows with the batch and saturates (saturation batch), extra cores stop helping
 * (per-core rate, exponent), the GPU needs enough memory for the batch (memory cliff: below it the
 * configuration is infeasible), a batch too slow for the 1 s SLO is infeasible, GPU types differ in speed.
 */
export const FAMILY_SPACE: ParameterSpec[] = [
  { name: 'cpu', category: 'resource', parameterType: 'int', feasibleSpace: { min: 1, max: 5 } },
  {
    name: 'gpuMemShare',
    category: 'resource',
    parameterType: 'discrete',
    feasibleSpace: { list: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] },
  },
  {
    name: 'MAX_BATCH_SIZE',
    category: 'env',
    parameterType: 'discrete',
    feasibleSpace: { list: [1, 2, 4, 8, 16, 32, 64, 128] },
  },
  {
    name: 'gpuType',
    category: 'resource',
    parameterType: 'categorical',
    feasibleSpace: { list: ['T4', 'M60', 'V100'] },
  },
];

export const familySpace = new SearchSpace(FAMILY_SPACE);

export interface SurfaceConstants {
  /** Peak T4 throughput at an infinite batch (requests/s). */
  peak: number;
  /** Speed relative to a T4. */
  speed: { T4: number; M60: number; V100: number };
  /** Batch at which the GPU reaches half its peak. */
  saturationBatch: number;
  /** Requests/s one CPU core can feed, and the exponent of diminishing returns in cores. */
  perCore: number;
  coreExponent: number;
  /** GPU memory share needed: base + perItem × batch; below it the instance is OOM-killed. */
  memoryBase: number;
  memoryPerItem: number;
}

export function surfaceConstants(task: number): SurfaceConstants {
  const random = new SeededRandom(1000 + task);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random.uniform();
  const logBetween = (lo: number, hi: number) => Math.exp(between(Math.log(lo), Math.log(hi)));
  const peak = logBetween(80, 2000);
  return {
    peak,
    speed: { T4: 1, M60: between(0.5, 1.1), V100: between(1.8, 4) },
    saturationBatch: logBetween(2, 48),
    perCore: peak * between(0.15, 0.8),
    coreExponent: between(0.55, 1),
    memoryBase: between(0.05, 0.25),
    memoryPerItem: between(0.0005, 0.003),
  };
}

/** The synthetic table of task `task` (different constants per task; deterministic). */
export function syntheticTask(task: number): ProfileTable {
  const c = surfaceConstants(task);
  const noise = new SeededRandom(5000 + task);
  const rows = [...familySpace.configs()].map((config): ProfileRow => {
    const cores = Number(config.cpu);
    const share = Number(config.gpuMemShare);
    const batch = Number(config.MAX_BATCH_SIZE);
    const gpu = String(config.gpuType) as keyof SurfaceConstants['speed'];
    const jitter = 1 + 0.01 * (2 * noise.uniform() - 1);
    if (share < c.memoryBase + c.memoryPerItem * batch) {
      return { config, status: 'infeasible', metrics: {}, reason: 'OOM-killed (synthetic)' };
    }
    const gpuRps = (c.peak * c.speed[gpu] * batch) / (batch + c.saturationBatch);
    const cpuRps = c.perCore * cores ** c.coreExponent;
    const rps = (gpuRps ** -4 + cpuRps ** -4) ** -0.25 * jitter;
    const p99Ms = (1000 * batch) / gpuRps + 5;
    if (p99Ms > 1000) {
      return { config, status: 'infeasible', metrics: {}, reason: 'p99 over the 1 s SLO (synthetic)' };
    }
    return { config, status: 'succeeded', metrics: { rps, p99Ms } };
  });
  return new ProfileTable(
    {
      format: PROFILE_FORMAT,
      model: { name: `synthetic-${task}`, family: 'synthetic' },
      space: FAMILY_SPACE,
      synthetic: true,
    },
    rows,
    familySpace,
  );
}
