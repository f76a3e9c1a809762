import { SeededRandom } from '../metamodel/random.js';
import { PROFILE_FORMAT, type ProfileRow, ProfileTable } from '../profile/table.js';
import type { ParameterSpec } from '../space/parameter.js';
import { SearchSpace } from '../space/search-space.js';

/**
 * SYNTHETIC profile tables for developing the benchmark and for the meta-model tests
 * (test/metamodel/synthetic-family.ts re-exports them) — made up by code, not measured: the paper's space (CPU cores 1–5, GPU memory share, max batch 1–128 in
 * powers of two, GPU type: 720 configurations), every task with its own constants for the shapes the
 * paper describes (batch saturation, diminishing returns in cores, a memory cliff that is infeasible,
 * an SLO cliff for slow batches, GPU speeds).
 */
export const SYNTHETIC_FAMILY_SPACE: ParameterSpec[] = [
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

const space = new SearchSpace(SYNTHETIC_FAMILY_SPACE);

/** Tables per synthetic "family" (families are a grouping for leave-one-family-out, not a shape). */
export const SYNTHETIC_FAMILY_SIZE = 3;

/**
 * Table `task` of the synthetic family: deterministic, different constants per task. `family` names
 * the group it is reported in (default `synthetic`).
 */
export function syntheticTable(task: number, family = 'synthetic'): ProfileTable {
  const random = new SeededRandom(1000 + task);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random.uniform();
  const logBetween = (lo: number, hi: number) => Math.exp(between(Math.log(lo), Math.log(hi)));
  const peak = logBetween(80, 2000);
  const c = {
    peak,
    speed: { T4: 1, M60: between(0.5, 1.1), V100: between(1.8, 4) },
    saturationBatch: logBetween(2, 48),
    perCore: peak * between(0.15, 0.8),
    coreExponent: between(0.55, 1),
    memoryBase: between(0.05, 0.25),
    memoryPerItem: between(0.0005, 0.003),
  };
  const noise = new SeededRandom(5000 + task);
  const rows = [...space.configs()].map((config): ProfileRow => {
    const cores = Number(config.cpu);
    const share = Number(config.gpuMemShare);
    const batch = Number(config.MAX_BATCH_SIZE);
    const gpu = String(config.gpuType) as keyof typeof c.speed;
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
      model: { name: `synthetic-${task}`, family },
      space: SYNTHETIC_FAMILY_SPACE,
      synthetic: true,
    },
    rows,
    space,
  );
}

/**
 * `count` synthetic tables (tasks 0..count-1) dealt round-robin into ⌈count / 3⌉ families
 * `synthetic-a`, `synthetic-b`, …, so leave-one-family-out holds out about three tables at a time.
 */
export function syntheticTables(count: number): ProfileTable[] {
  const families = Math.max(1, Math.ceil(count / SYNTHETIC_FAMILY_SIZE));
  return Array.from({ length: count }, (_, task) =>
    syntheticTable(task, `synthetic-${familyName(task % families)}`),
  );
}

function familyName(index: number): string {
  let name = '';
  for (let i = index; ; i = Math.floor(i / 26) - 1) {
    name = String.fromCharCode(97 + (i % 26)) + name;
    if (i < 26) return name;
  }
}
