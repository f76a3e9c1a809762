import { type AddressInfo, createServer } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface TestServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts `fixtures/test-server.mjs` in its own thread; see that file for its routes. */
export async function startTestServer(): Promise<TestServer> {
  const worker = new Worker(new URL('./fixtures/test-server.mjs', import.meta.url));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { baseUrl: string }) => resolve(message.baseUrl));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`test server exited with code ${code}`)));
  });
  return {
    baseUrl,
    close: async () => {
      await worker.terminate();
    },
  };
}

/** A port nothing listens on (it was free a moment ago), for connection-refused cases. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
