import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KINDS } from '../../src/runners/kubernetes/resources.js';
import { resolveExperiment } from '../../src/spec/resolve.js';
import { ExperimentDocumentSchema } from '../../src/spec/schema.js';
import { nonStructural, type Schema, validate } from './structural-schema.js';

// deploy/ is applied to real clusters, which this machine has none of: these tests check what can be
// checked offline — every file parses, kinds and apiVersions are ones Kubernetes serves, references
// between objects resolve, RBAC covers what the kubernetes runner does, and the CRD's schema is
// structural and accepts every experiment in examples/ without pruning a field.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function load(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    expect(doc.errors, `${relative(ROOT, path)}: ${doc.errors.join('; ')}`).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

/** Kinds these manifests may use, with the apiVersion a current Kubernetes serves them at. */
const SERVED: Record<string, string> = {
  Namespace: 'v1',
  ServiceAccount: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

const files = yamlFiles(DEPLOY);
const objects = files.flatMap(load);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const crd = byKind('CustomResourceDefinition')[0] as K8sObject & {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
};
const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;

describe('deploy/ manifests', () => {
  it('parse, and use only kinds at the apiVersions Kubernetes serves', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const object of objects) {
      expect(SERVED[object.kind], `${object.kind} ${object.metadata?.name}`).toBe(object.apiVersion);
    }
  });

  it('are all in kustomization.yaml, and everything namespaced is in morphling-system', () => {
    const kustomization = byKind('Kustomization')[0] as K8sObject & { resources: string[] };
    const listed = kustomization.resources.map((resource) => join(DEPLOY, resource)).sort();
    expect(listed).toEqual(files.filter((f) => !f.endsWith('kustomization.yaml')).sort());
    for (const object of objects) {
      if (['Namespace', 'CustomResourceDefinition', 'Kustomization'].includes(object.kind)) continue;
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe('morphling-system');
    }
  });

  it('wire up: selectors match pod labels, Services select pods, referenced accounts and secret keys exist', () => {
    type Workload = K8sObject & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
      };
    };
    const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')] as Workload[];
    const secrets = byKind('Secret') as (K8sObject & { stringData: Record<string, string> })[];
    for (const workload of workloads) {
      const labels = workload.spec.template.metadata.labels;
      expect(labels).toMatchObject(workload.spec.selector.matchLabels);
      const account = workload.spec.template.spec.serviceAccountName as string | undefined;
      if (account) expect(byKind('ServiceAccount').map((a) => a.metadata.name)).toContain(account);
      const refs = JSON.stringify(workload.spec.template.spec).matchAll(
        /"secretKeyRef":\{"name":"([^"]+)","key":"([^"]+)"\}/g,
      );
      for (const [, name, key] of refs) {
        expect(secrets.find((s) => s.metadata.name === name)?.stringData, `${name}.${key}`).toHaveProperty(
          key as string,
        );
      }
    }
    for (const service of byKind('Service') as (K8sObject & {
      spec: { selector: Record<string, string> };
    })[]) {
      const selected = workloads.filter((w) =>
        Object.entries(service.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v),
      );
      expect(selected.length, `Service ${service.metadata.name} selects no pods`).toBeGreaterThan(0);
    }
  });

  it("grant the runner's service account every verb the kubernetes runner uses, on every kind it uses", () => {
    const role = byKind('Role')[0] as K8sObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const allowed = (group: string, resource: string, verb: string) =>
      role.rules.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );
    const used: Record<string, string[]> = {
      deployments: ['create', 'get', 'list', 'delete'],
      services: ['create', 'get', 'list', 'delete'],
      jobs: ['create', 'get', 'list', 'delete'],
      pods: ['get', 'list'],
      leases: ['create', 'get', 'list', 'update', 'delete'],
    };
    for (const kind of Object.values(KINDS)) {
      const group = kind.apiVersion.includes('/') ? (kind.apiVersion.split('/')[0] as string) : '';
      for (const verb of used[kind.plural] ?? ['missing from this test']) {
        expect(allowed(group, kind.plural, verb), `${verb} ${kind.plural}`).toBe(true);
      }
    }
    expect(allowed('', 'pods/log', 'get')).toBe(true);
    const binding = byKind('RoleBinding')[0] as K8sObject & {
      roleRef: { name: string };
      subjects: { name: string }[];
    };
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects.map((s) => s.name)).toEqual(['morphling']);
  });

  it.skipIf(spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0)(
    'render with kubectl kustomize',
    () => {
      const result = spawnSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(parseAllDocuments(result.stdout).length).toBe(objects.length - 1);
    },
  );
});

describe('the ProfilingExperiment CRD', () => {
  it('is tuning.kubedl.io/v1alpha1 ProfilingExperiment with a structural schema', () => {
    expect(crd.metadata.name).toBe('profilingexperiments.tuning.kubedl.io');
    expect(crd.spec.group).toBe('tuning.kubedl.io');
    expect(crd.spec.names).toMatchObject({ kind: 'ProfilingExperiment', plural: 'profilingexperiments' });
    expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1alpha1']);
    expect(nonStructural(schema)).toEqual([]);
  });

  it('has a field for every field of an experiment file, and no other', () => {
    const specSchema = schema.properties?.spec?.properties ?? {};
    expect(Object.keys(specSchema).sort()).toEqual(
      Object.keys(ExperimentDocumentSchema.shape.spec.shape).sort(),
    );
  });

  const examples = readdirSync(join(ROOT, 'examples'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => ({ name, document: load(join(ROOT, 'examples', name))[0] as K8sObject }));

  it.each(examples.map((e) => [e.name, e.document] as const))(
    'accepts examples/%s without pruning a field',
    (_name, document) => {
      expect(document.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions[0]?.name}`);
      expect(document.kind).toBe('ProfilingExperiment');
      expect(validate(document, schema)).toEqual([]);
      // And Morphling itself takes it.
      expect(resolveExperiment(document, join(ROOT, 'examples')).name).toBe(document.metadata.name);
    },
  );

  it('rejects what the API server would reject or prune', () => {
    const document = structuredClone(examples[0]?.document) as K8sObject & { spec: Record<string, unknown> };
    const spec = document.spec as {
      tunableParameters: { parameters: Record<string, unknown>[] }[];
      maxNumTrial?: number;
    };
    spec.maxNumTrial = 3;
    (spec.tunableParameters[0]?.parameters[0] as Record<string, unknown>).parameterType = 'float';
    delete (document.spec as Record<string, unknown>).algorithm;
    expect(validate(document, schema)).toEqual([
      'spec.algorithm: required',
      'spec.tunableParameters[0].parameters[0].parameterType: must be one of int, double, discrete, categorical',
      'spec.maxNumTrial: unknown field (the API server would prune it)',
    ]);
  });
});
