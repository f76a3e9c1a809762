/**
 * Checks a document against a CustomResourceDefinition's openAPIV3Schema the way the API server treats
 * it — hand-written because no JSON-schema validator is a dependency, and because Kubernetes differs
 * from plain JSON Schema where it matters: an unknown field is not an error there but is silently
 * PRUNED (dropped) on write, which for an experiment would mean a setting quietly ignored. So unknown
 * fields are reported here, except under `x-kubernetes-preserve-unknown-fields`. Supports the keywords
 * the CRD uses: type, properties, additionalProperties, items, required, enum, minimum/maximum
 * (with the boolean exclusive forms), minItems, x-kubernetes-int-or-string.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export function validate(value: unknown, schema: Schema, path = ''): string[] {
  const at = path || '<root>';
  if (schema['x-kubernetes-int-or-string']) {
    return Number.isInteger(value) || typeof value === 'string'
      ? []
      : [`${at}: must be an integer or a string`];
  }
  if (!schema.type)
    return schema['x-kubernetes-preserve-unknown-fields'] ? [] : [`${at}: schema has no type`];
  const typeError = checkType(value, schema.type);
  if (typeError) return [`${at}: ${typeError}`];
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${at}: must be one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number') {
    if (
      schema.minimum !== undefined &&
      (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)
    ) {
      problems.push(`${at}: must be ${schema.exclusiveMinimum ? '>' : '>='} ${schema.minimum}`);
    }
    if (
      schema.maximum !== undefined &&
      (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)
    ) {
      problems.push(`${at}: must be ${schema.exclusiveMaximum ? '<' : '<='} ${schema.maximum}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      problems.push(`${at}: needs at least ${schema.minItems} items`);
    if (schema.items)
      for (const [i, item] of value.entries())
        problems.push(...validate(item, schema.items as Schema, `${path}[${i}]`));
  }
  if (schema.type === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? [])
      if (!(key in object)) problems.push(`${path ? `${path}.` : ''}${key}: required`);
    for (const [key, child] of Object.entries(object)) {
      // The root's metadata is ObjectMeta, which the API server validates itself; a CRD cannot prune it.
      if (!path && key === 'metadata') continue;
      const childPath = path ? `${path}.${key}` : key;
      const property = schema.properties?.[key];
      if (property) problems.push(...validate(child, property, childPath));
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...validate(child, schema.additionalProperties, childPath));
      else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
        problems.push(`${childPath}: unknown field (the API server would prune it)`);
      }
    }
  }
  return problems;
}

function checkType(value: unknown, type: NonNullable<Schema['type']>): string | undefined {
  const ok =
    type === 'object'
      ? typeof value === 'object' && value !== null && !Array.isArray(value)
      : type === 'array'
        ? Array.isArray(value)
        : type === 'integer'
          ? Number.isInteger(value)
          : typeof value === type;
  return ok
    ? undefined
    : `must be of type ${type}, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
}

/**
 * Where a schema is not structural (Kubernetes refuses such a CRD): a node without a type that is
 * neither int-or-string nor preserve-unknown-fields.
 */
export function nonStructural(schema: Schema, path = ''): string[] {
  const problems: string[] = [];
  if (
    !schema.type &&
    !schema['x-kubernetes-int-or-string'] &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    problems.push(path || '<root>');
  }
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    problems.push(...nonStructural(child, `${path}.${key}`));
  if (schema.items) problems.push(...nonStructural(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object')
    problems.push(...nonStructural(schema.additionalProperties, `${path}{}`));
  return problems;
}
