import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** Event streams may carry the token as `?token=`: a browser's EventSource cannot set headers. */
const EVENT_STREAM = /^\/api\/experiments\/[^/]+\/events$/;

/**
 * With a token, every /api request needs `Authorization: Bearer <token>`. The dashboard's static files
 * stay open: the page has to load before it can send the token it was given.
 */
export function registerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return;
    const given =
      bearer(request.headers.authorization) ??
      (EVENT_STREAM.test(url.pathname) ? (url.searchParams.get('token') ?? undefined) : undefined);
    // Comparing digests keeps the time taken independent of where the strings differ.
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'missing or wrong token: send "Authorization: Bearer <token>"' });
  });
}

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
