import { request } from 'undici';
import type { ProfilingExperimentObject } from '../../src/operator/resource.js';

/**
 * What `kubectl` does for the tests, as plain REST calls to the stand-in API server: apply (create),
 * get, replace (edit) and delete of ProfilingExperiments. These are the user's side, not the operator's.
 */
export class Kubectl {
  constructor(
    private readonly server: string,
    private readonly namespace: string,
  ) {}

  private path(name?: string): string {
    const base = `${this.server}/apis/tuning.kubedl.io/v1alpha1/namespaces/${this.namespace}/profilingexperiments`;
    return name === undefined ? base : `${base}/${name}`;
  }

  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ code: number; json: ProfilingExperimentObject }> {
    const response = await request(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { code: response.statusCode, json: (await response.body.json()) as ProfilingExperimentObject };
  }

  async apply(document: { metadata: { name: string }; spec: unknown }): Promise<ProfilingExperimentObject> {
    const reply = await this.call('POST', this.path(), {
      apiVersion: 'tuning.kubedl.io/v1alpha1',
      kind: 'ProfilingExperiment',
      ...document,
    });
    if (reply.code !== 201) throw new Error(`create: ${reply.code} ${JSON.stringify(reply.json)}`);
    return reply.json;
  }

  async get(name: string): Promise<ProfilingExperimentObject> {
    return (await this.call('GET', this.path(name))).json;
  }

  /** `kubectl edit`: read, change, write back; retried on a conflict with the operator's status writes. */
  async edit(
    name: string,
    change: (object: ProfilingExperimentObject) => void,
  ): Promise<ProfilingExperimentObject> {
    for (;;) {
      const object = await this.get(name);
      change(object);
      const reply = await this.call('PUT', this.path(name), object);
      if (reply.code === 200) return reply.json;
      if (reply.code !== 409) throw new Error(`replace: ${reply.code} ${JSON.stringify(reply.json)}`);
    }
  }

  async delete(name: string): Promise<void> {
    await this.call('DELETE', this.path(name));
  }
}
