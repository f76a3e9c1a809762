import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The stand-in cluster's network. Processes here share one network namespace, so each pod gets its
 * own loopback address (127.A.1.x) as its pod IP, and each Service a cluster IP (127.A.2.x) where a
 * "kube-proxy" listens on the Service's port and forwards every connection to a ready endpoint pod
 * (round robin). A is random per stand-in, so parallel test files do not collide.
 */
export class FakeNetwork {
  private readonly block = 64 + Math.floor(Math.random() * 64);
  private nextPod = 1;
  private nextService = 1;
  private readonly proxies = new Map<string, { server: Server; sockets: Set<Socket> }>();

  allocatePodIp(): string {
    const n = this.nextPod++;
    return `127.${this.block}.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
  }

  allocateClusterIp(): string {
    const n = this.nextService++;
    return `127.${this.block}.${100 + Math.floor(n / 250)}.${1 + (n % 250)}`;
  }

  /** Starts forwarding `clusterIp:port` to whatever `endpoints()` returns at connection time. */
  async expose(
    key: string,
    clusterIp: string,
    port: number,
    endpoints: () => { ip: string; port: number }[],
  ): Promise<void> {
    let turn = 0;
    const sockets = new Set<Socket>();
    const server = createServer((client: Socket) => {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      const ready = endpoints();
      const endpoint = ready[turn++ % Math.max(ready.length, 1)];
      if (!endpoint) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: endpoint.ip, port: endpoint.port });
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, clusterIp, () => resolve());
    });
    this.proxies.set(key, { server, sockets });
  }

  async unexpose(key: string): Promise<void> {
    const proxy = this.proxies.get(key);
    this.proxies.delete(key);
    if (!proxy) return;
    // Open connections end with the Service, as when kube-proxy removes its rules.
    for (const socket of proxy.sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.keys()].map((key) => this.unexpose(key)));
  }
}
