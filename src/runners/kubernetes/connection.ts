import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/** How to reach and authenticate to an API server. */
export interface ClusterConnection {
  server: string;
  /** The namespace the kubeconfig context or the service account names, if any. */
  namespace?: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  /** Where the connection came from, for error messages. */
  source: string;
}

export interface ConnectionSettings {
  /** An API server URL to use as it is, e.g. `http://127.0.0.1:8001` of `kubectl proxy`. */
  apiServer?: string;
  kubeconfig?: string;
  context?: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Finds the cluster like kubectl does: an explicit API server URL; else the pod's service account when
 * running in a cluster; else a kubeconfig file (`kubeconfig`, `$KUBECONFIG`, `~/.kube/config`) with
 * its current context. Token, client-certificate and CA authentication are supported; credential
 * plugins (`exec`, `auth-provider`) are not — `kubectl proxy` and `apiServer` cover those clusters.
 */
export async function findConnection(
  settings: ConnectionSettings,
  env: NodeJS.ProcessEnv = process.env,
  serviceAccountDir = SERVICE_ACCOUNT,
): Promise<ClusterConnection> {
  if (settings.apiServer) return { server: settings.apiServer.replace(/\/$/, ''), source: 'apiServer' };
  const kubeconfig = settings.kubeconfig ?? env.KUBECONFIG?.split(delimiter).find(Boolean);
  if (!kubeconfig && env.KUBERNETES_SERVICE_HOST && existsSync(`${serviceAccountDir}/token`)) {
    return inCluster(env, serviceAccountDir);
  }
  const path = kubeconfig ?? resolve(homedir(), '.kube/config');
  if (!existsSync(path)) {
    throw new Error(
      `no Kubernetes cluster configured: not in a cluster, and no kubeconfig at ${path} (set spec.runner.settings.kubeconfig or apiServer)`,
    );
  }
  return fromKubeconfig(path, settings.context);
}

async function inCluster(env: NodeJS.ProcessEnv, dir: string): Promise<ClusterConnection> {
  const host = env.KUBERNETES_SERVICE_HOST as string;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: (await readFile(`${dir}/token`, 'utf8')).trim(),
    ca: existsSync(`${dir}/ca.crt`) ? await readFile(`${dir}/ca.crt`) : undefined,
    namespace: existsSync(`${dir}/namespace`)
      ? (await readFile(`${dir}/namespace`, 'utf8')).trim()
      : undefined,
    source: 'in-cluster service account',
  };
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

async function fromKubeconfig(path: string, contextName?: string): Promise<ClusterConnection> {
  const config = parse(await readFile(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ cluster: string; user?: string; namespace?: string }>[];
    clusters?: Named<Record<string, string | boolean>>[];
    users?: Named<Record<string, unknown>>[];
  };
  const wanted = contextName ?? config['current-context'];
  const context = config.contexts?.find((c) => c.name === wanted)?.context;
  if (!context) throw new Error(`${path}: no context ${wanted ?? '(no current-context)'}`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${path}: cluster ${context.cluster} has no server`);
  const user = (context.user ? config.users?.find((u) => u.name === context.user)?.user : undefined) ?? {};
  if (user.exec || user['auth-provider']) {
    throw new Error(
      `${path}: user ${context.user} authenticates with a credential plugin, which Morphling does not run; use \`kubectl proxy\` and spec.runner.settings.apiServer`,
    );
  }
  const base = dirname(path);
  const material = async (data: unknown, file: unknown) =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64')
      : typeof file === 'string'
        ? readFile(resolve(base, file))
        : undefined;
  const tokenFile = user.tokenFile;
  return {
    server: String(cluster.server).replace(/\/$/, ''),
    namespace: context.namespace,
    token:
      typeof user.token === 'string'
        ? user.token
        : typeof tokenFile === 'string'
          ? (await readFile(resolve(base, tokenFile), 'utf8')).trim()
          : undefined,
    ca: await material(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: await material(user['client-certificate-data'], user['client-certificate']),
    key: await material(user['client-key-data'], user['client-key']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    source: `${path} (context ${wanted})`,
  };
}
