import { z } from 'zod';

/** A number, also when written as a string (alibaba/morphling's CRD writes `min: "1"`). */
export const numberLike = z.union(
  [
    z.number(),
    z
      .string()
      .trim()
      .regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/)
      .transform(Number),
  ],
  { error: (issue) => `expected a number, got ${describe(issue.input)}` },
);

export const ParameterBodySchema = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  parameterType: z.enum(['int', 'double', 'discrete', 'categorical']),
  feasibleSpace: z.strictObject({
    min: numberLike.optional(),
    max: numberLike.optional(),
    step: numberLike.optional(),
    list: z.array(z.union([z.string(), z.number()])).optional(),
  }),
  scale: z.enum(['linear', 'log']).optional(),
});

export const CategorySchema = z.enum(['resource', 'env', 'args']);

/** A parameter with its category, as a profile-table header lists it. */
export const ParameterSpecSchema = ParameterBodySchema.extend({ category: CategorySchema });

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'a mapping';
  if (value === undefined) return 'nothing';
  return `${typeof value} ${String(value)}`;
}
