import { type handleUnaryCall, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { healthService, suggestionService } from './proto.js';
import { SuggestionService } from './suggestion-service.js';

/** The port of alibaba/morphling's algorithm service. */
export const DEFAULT_PORT = 9996;

/** Health-check service names answered SERVING: "" (the whole server), the service, and upstream's probe name. */
const HEALTH_SERVICES = new Set(['', 'api.suggestion.Suggestion', 'algorithm.probe']);

export interface AlgorithmServerOptions {
  /** Interface to listen on; default 127.0.0.1 (`0.0.0.0` to serve other machines, as in a pod). */
  host?: string;
  /** Default 9996; 0 picks a free port. */
  port?: number;
  /** One line per call; default silent. */
  log?: (line: string) => void;
}

export interface AlgorithmServer {
  readonly host: string;
  readonly port: number;
  /** `host:port` as a client dials it. */
  readonly address: string;
  /**
   * Stops accepting calls and waits for the running ones up to `graceMs` (default 10 s), then cancels
   * what is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts the gRPC algorithm server (`api.suggestion.Suggestion` and `grpc.health.v1.Health`). */
export async function startAlgorithmServer(options: AlgorithmServerOptions = {}): Promise<AlgorithmServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new Server();
  const suggestion = new SuggestionService(options.log ? { log: options.log } : {});
  server.addService(suggestionService().service, suggestion.handlers());
  let serving = true;
  const Check: handleUnaryCall<{ service: string }, { status: string }> = (call, callback) => {
    if (!HEALTH_SERVICES.has(call.request.service)) {
      callback({ code: status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
    } else callback(null, { status: serving ? 'SERVING' : 'NOT_SERVING' });
  };
  server.addService(healthService().service, { Check });

  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${hostPart}:${options.port ?? DEFAULT_PORT}`,
      ServerCredentials.createInsecure(),
      (error, bound) =>
        error
          ? reject(
              new Error(`cannot listen on ${hostPart}:${options.port ?? DEFAULT_PORT}: ${error.message}`),
            )
          : resolve(bound),
    );
  });
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    address: `${hostPart}:${port}`,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        serving = false;
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
