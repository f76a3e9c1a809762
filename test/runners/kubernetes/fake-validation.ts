import type { Container, PodSpec } from '../../../src/runners/kubernetes/kube-types.js';
import { parseQuantity } from '../../../src/space/quantity.js';

/**
 * The admission checks of the stand-in API server: the subset of Kubernetes' object validation that
 * concerns what the runner sends (names, labels, env names, resource requests and limits, selectors,
 * restart policies). Each problem is `[field, message]`, reported as a 422 `Invalid` Status.
 */
export type FieldProblem = [field: string, message: string];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Resources a node has natively; anything else with a domain is an extended resource. */
const NATIVE = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

export function nameProblems(name: unknown, plural: string): FieldProblem[] {
  if (typeof name !== 'string' || name === '') return [['metadata.name', 'Required value: name is required']];
  if (plural === 'services') {
    return DNS1035_LABEL.test(name) && name.length <= 63
      ? []
      : [
          [
            'metadata.name',
            `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
          ],
        ];
  }
  return DNS1123_SUBDOMAIN.test(name) && name.length <= 253
    ? []
    : [
        [
          'metadata.name',
          `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
        ],
      ];
}

export function labelProblems(labels: Record<string, unknown> | undefined, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    if (
      (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) ||
      !LABEL_NAME.test(name) ||
      name.length > 63
    ) {
      problems.push([
        field,
        `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      ]);
    }
    if (typeof value !== 'string' || value.length > 63 || !(value === '' || LABEL_NAME.test(value))) {
      problems.push([
        field,
        `Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      ]);
    }
  }
  return problems;
}

export function podSpecProblems(spec: PodSpec | undefined, field: string): FieldProblem[] {
  if (!spec || !Array.isArray(spec.containers) || spec.containers.length === 0) {
    return [[`${field}.containers`, 'Required value']];
  }
  return spec.containers.flatMap((container, i) => containerProblems(container, `${field}.containers[${i}]`));
}

function containerProblems(container: Container, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!container.name || !DNS1123_LABEL.test(container.name))
    problems.push([`${field}.name`, `Invalid value: "${container.name}"`]);
  if (!container.image) problems.push([`${field}.image`, 'Required value']);
  for (const [j, variable] of (container.env ?? []).entries()) {
    if (!ENV_NAME.test(variable.name)) {
      problems.push([
        `${field}.env[${j}].name`,
        `Invalid value: "${variable.name}": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
      ]);
    }
  }
  const { requests = {}, limits = {} } = container.resources ?? {};
  for (const [kind, values] of [
    ['requests', requests],
    ['limits', limits],
  ] as const) {
    for (const [resource, quantity] of Object.entries(values)) {
      if (parseQuantity(quantity) === undefined) {
        problems.push([
          `${field}.resources.${kind}[${resource}]`,
          `Invalid value: "${quantity}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
        ]);
      }
    }
  }
  for (const [resource, request] of Object.entries(requests)) {
    const limit = limits[resource];
    const extended = !NATIVE.has(resource);
    if (extended && limit === undefined) {
      problems.push([
        `${field}.resources.limits`,
        `Required value: Limit must be set for non overcommitable resources`,
      ]);
    } else if (extended && parseQuantity(request) !== parseQuantity(limit as string)) {
      problems.push([
        `${field}.resources.requests[${resource}]`,
        `Invalid value: "${request}": must be equal to ${resource} limit of ${limit}`,
      ]);
    } else if (limit !== undefined && (parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? 0)) {
      problems.push([
        `${field}.resources.requests`,
        `Invalid value: "${request}": must be less than or equal to ${resource} limit of ${limit}`,
      ]);
    }
  }
  return problems;
}
