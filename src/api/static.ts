import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the dashboard: dist/ui at the package root (from src/api or dist/api). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Morphling</title></head>
<body><h1>Morphling</h1>
<p>The web dashboard is not built: run <code>npm run build</code> and restart <code>morphling serve</code>.
The HTTP API works without it: see <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`;

/**
 * Serves the dashboard's files for every path outside /api; paths that are not files get index.html,
 * so that the single-page app's own routes survive a reload. Unknown /api paths are JSON 404s.
 */
export function registerStatic(app: FastifyInstance, uiDir: string): void {
  const root = resolve(uiDir);
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (pathname === '/api' || pathname.startsWith('/api/') || !['GET', 'HEAD'].includes(request.method)) {
      return reply.code(404).send({ error: `no route ${request.method} ${pathname}` });
    }
    const index = join(root, 'index.html');
    if (!(await isFile(index))) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    let file = index;
    try {
      const candidate = resolve(root, `.${decodeURIComponent(pathname)}`);
      // `..` in the path must not reach outside the dashboard's folder.
      if (candidate.startsWith(root + sep) && (await isFile(candidate))) file = candidate;
    } catch {
      return reply.code(400).send({ error: 'malformed path' });
    }
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // index.html names the current assets: a stale copy in a browser cache would load old ones.
    if (file === index) reply.header('cache-control', 'no-cache');
    return reply.type(type).send(createReadStream(file));
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
