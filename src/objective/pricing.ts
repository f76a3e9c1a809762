import { z } from 'zod';
import type { Config } from '../space/parameter.js';
import { parseQuantity } from '../space/quantity.js';

/** Per-hour prices from the paper (SoCC'21, section 5): base 0.2, CPU 0.02 per core, GPUs by type. */
export const PAPER_GPU_PRICES: Readonly<Record<string, number>> = { T4: 0.4, M60: 0.4, V100: 2.6 };

const quantityLike = z.union([z.number(), z.string()]);

export const PricingSchema = z.strictObject({
  /** Fixed cost of running an instance at all, per hour. */
  base: z.number().min(0).default(0.2),
  cpuPerCore: z.number().min(0).default(0.02),
  memoryPerGiB: z.number().min(0).default(0),
  /** Price of a whole GPU per hour, by type; a share of a GPU costs the share times this. */
  gpu: z.record(z.string(), z.number().min(0)).default({ ...PAPER_GPU_PRICES }),
  /** Which tunable parameters carry the priced resources. */
  parameters: z
    .strictObject({
      cpu: z.string().default('cpu'),
      memory: z.string().default('memory'),
      gpuType: z.string().default('gpuType'),
      gpuShare: z.string().default('gpuMemShare'),
    })
    .default({ cpu: 'cpu', memory: 'memory', gpuType: 'gpuType', gpuShare: 'gpuMemShare' }),
  /** Values of priced resources that are not tuned (e.g. a fixed 2-core limit). */
  fixed: z
    .strictObject({
      cpu: quantityLike.optional(),
      memory: quantityLike.optional(),
      gpuType: z.string().optional(),
      gpuShare: z.number().min(0).optional(),
    })
    .default({}),
});
export type Pricing = z.infer<typeof PricingSchema>;

export interface PricedResources {
  cpuCores: number;
  memoryGiB: number;
  gpuType?: string;
  gpuShare: number;
}

/** The priced resources of a configuration: tuned knobs first, then the fixed values, else none. */
export function pricedResources(pricing: Pricing, config: Config): PricedResources {
  const pick = (name: string, fixed: string | number | undefined) => config[name] ?? fixed;
  const cpu = pick(pricing.parameters.cpu, pricing.fixed.cpu);
  const memory = pick(pricing.parameters.memory, pricing.fixed.memory);
  const gpuType = pick(pricing.parameters.gpuType, pricing.fixed.gpuType);
  const gpuShare = pick(pricing.parameters.gpuShare, pricing.fixed.gpuShare);
  return {
    cpuCores: cpu === undefined ? 0 : (parseQuantity(cpu) ?? 0),
    memoryGiB: memory === undefined ? 0 : (parseQuantity(memory) ?? 0) / 2 ** 30,
    gpuType: gpuType === undefined ? undefined : String(gpuType),
    gpuShare: gpuShare === undefined ? 0 : (parseQuantity(gpuShare) ?? 0),
  };
}

/** Cost per hour: base + CPU cores + memory + GPU share x the GPU's price (the paper's cost model). */
export function costPerHour(pricing: Pricing, config: Config): number {
  const r = pricedResources(pricing, config);
  const gpuPrice = r.gpuType === undefined ? 0 : (pricing.gpu[r.gpuType] ?? 0);
  return (
    pricing.base +
    pricing.cpuPerCore * r.cpuCores +
    pricing.memoryPerGiB * r.memoryGiB +
    gpuPrice * r.gpuShare
  );
}
