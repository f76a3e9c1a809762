import { Agent, type Dispatcher, request } from 'undici';
import type {
  ContainerCreateBody,
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  ImageInspect,
} from './engine-types.js';
import { demultiplexLogs } from './log-stream.js';

/** An error answer of the daemon, with its HTTP status (404 no such container, 409 conflict, ...). */
export class DockerApiError extends Error {
  override readonly name = 'DockerApiError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly operation: string,
  ) {
    super(`${operation}: ${message} (HTTP ${statusCode})`);
  }
}

/**
 * A small typed client of the Docker Engine API over its unix socket, for the dozen endpoints the
 * docker runner uses (ping, image inspect, container create/start/inspect/logs/stats/wait/stop/
 * remove/list). Hand-written instead of dockerode: one dependency (and its transitive tree) less, the
 * endpoints are few and stable, and undici — already ours — speaks HTTP over a unix socket.
 * The API version is pinned (1.41 = Docker 20.10, Debian bookworm's `docker.io`); newer daemons
 * serve older versions unchanged.
 */
export class DockerEngine {
  private readonly agent: Agent;

  constructor(
    readonly socketPath = '/var/run/docker.sock',
    private readonly apiVersion = '1.41',
  ) {
    this.agent = new Agent({ connect: { socketPath } });
  }

  async ping(): Promise<void> {
    await this.call('GET', '/_ping', 'ping', { versioned: false, expect: 'text' });
  }

  /** The image's metadata, or undefined when the daemon has no image of that name. */
  async inspectImage(name: string): Promise<ImageInspect | undefined> {
    return this.call('GET', `/images/${encodeURIComponent(name)}/json`, 'image inspect', { missing: true });
  }

  async createContainer(
    name: string,
    body: ContainerCreateBody,
  ): Promise<{ Id: string; Warnings: string[] }> {
    const result = await this.call<{ Id: string; Warnings: string[] | null }>(
      'POST',
      `/containers/create?name=${encodeURIComponent(name)}`,
      'container create',
      { body },
    );
    return { Id: result.Id, Warnings: result.Warnings ?? [] };
  }

  async startContainer(id: string): Promise<void> {
    // 304: already started.
    await this.call('POST', `/containers/${id}/start`, 'container start', { expect: 'none', also: [304] });
  }

  /** The container's state and configuration, or undefined once it is gone. */
  async inspectContainer(id: string): Promise<ContainerInspect | undefined> {
    return this.call('GET', `/containers/${id}/json`, 'container inspect', { missing: true });
  }

  /** The last `tail` lines of the container's stdout and stderr, interleaved. */
  async logs(id: string, tail = 50): Promise<string> {
    const raw = await this.call<Buffer>(
      'GET',
      `/containers/${id}/logs?stdout=1&stderr=1&tail=${tail}`,
      'container logs',
      { expect: 'bytes' },
    );
    return demultiplexLogs(raw);
  }

  /**
   * One sample of the container's resource use (cgroup counters). `one-shot`: without it the daemon waits
   * for a second sample (for the CPU percentage, which we do not use) and answers a second later.
   */
  async stats(id: string): Promise<ContainerStats> {
    return this.call('GET', `/containers/${id}/stats?stream=false&one-shot=true`, 'container stats');
  }

  /**
   * Resolves with the exit code once the container stops. A long poll: the daemon answers when the
   * container exits, so the timeouts are off; `signal` ends the wait.
   */
  async wait(id: string, signal: AbortSignal): Promise<{ StatusCode: number }> {
    return this.call('POST', `/containers/${id}/wait?condition=not-running`, 'container wait', {
      signal,
      longPoll: true,
    });
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds`. 304: already stopped; 404: already gone. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.call('POST', `/containers/${id}/stop?t=${timeoutSeconds}`, 'container stop', {
      expect: 'none',
      also: [304, 404],
    });
  }

  /** Removes the container (killing it if it runs) and its anonymous volumes. 404: already gone. */
  async removeContainer(id: string): Promise<void> {
    await this.call('DELETE', `/containers/${id}?force=1&v=1`, 'container remove', {
      expect: 'none',
      also: [404],
    });
  }

  /** All containers, running or not, with every given label (`key` or `key=value`). */
  async listContainers(labels: readonly string[]): Promise<ContainerSummary[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    return this.call('GET', `/containers/json?all=1&filters=${filters}`, 'container list');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    operation: string,
    options: {
      body?: unknown;
      expect?: 'json' | 'text' | 'bytes' | 'none';
      /** Statuses besides 2xx that are fine (answered with undefined). */
      also?: number[];
      /** A 404 answers undefined instead of throwing. */
      missing?: boolean;
      versioned?: boolean;
      signal?: AbortSignal;
      longPoll?: boolean;
    } = {},
  ): Promise<T> {
    const prefix = options.versioned === false ? '' : `/v${this.apiVersion}`;
    const response = await request(`http://docker${prefix}${path}`, {
      method,
      dispatcher: this.agent,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      ...(options.longPoll ? { headersTimeout: 0, bodyTimeout: 0 } : {}),
    });
    const status = response.statusCode;
    if (status === 404 && options.missing) {
      await response.body.dump();
      return undefined as T;
    }
    if (status >= 300) {
      const text = await response.body.text();
      if (options.also?.includes(status)) return undefined as T;
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // Plain-text error.
      }
      throw new DockerApiError(status, message, operation);
    }
    switch (options.expect ?? 'json') {
      case 'none':
        await response.body.dump();
        return undefined as T;
      case 'text':
        return (await response.body.text()) as T;
      case 'bytes':
        return Buffer.from(await response.body.arrayBuffer()) as T;
      default:
        return (await response.body.json()) as T;
    }
  }
}
