import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built UI of this checkout or image: `web/dist` beside `src/` (or beside `dist/src/`). */
export function findWebDirectory(setting: string): string | null {
  if (setting === 'off') return null;
  if (setting !== 'auto') return existsSync(join(setting, 'index.html')) ? resolve(setting) : null;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level += 1) {
    const candidate = join(folder, 'web', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    folder = dirname(folder);
  }
  return null;
}

/** API paths never fall back to the UI: a wrong API URL must stay a JSON 404. */
const apiPrefixes = ['/v1/', '/healthz', '/readyz', '/metrics', '/openapi', '/docs', '/mcp', '/retrieval'];

/**
 * Serves the web UI at `/` without an API key (the page asks for one). Hashed assets are cached for
 * a year; index.html never, so a new build is picked up at once.
 */
export async function registerWebInterface(app: FastifyInstance, root: string): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true } as typeof route.config;
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      // Looks files up per request, so a rebuild is served without a restart; a missing file
      // reaches the not-found handler (the page for UI routes, JSON for the rest).
      wildcard: true,
      index: ['index.html'],
      setHeaders(response, path) {
        response.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  });
}

/**
 * The UI's own routes (`/documents/…`, `/chat/…`) answer index.html, so deep links and reloads
 * work; everything else (API paths, non-page requests) gets the JSON 404.
 */
export function pageFallback(root: string) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage || apiPrefixes.some((prefix) => path.startsWith(prefix))) return undefined;
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  };
}
