import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the admin dashboard is served: a static single-page app built by `npm run build`. */
export const DASHBOARD_PATH = '/dashboard';

/**
 * `npm run build` writes the dashboard here (Vite); `nest build` leaves it in place (`deleteOutDir`
 * is off in nest-cli.json). The same folder whether this file runs from src/ (ts-jest, ts-node) or dist/.
 */
export const DASHBOARD_DIR = join(__dirname, '..', '..', 'dist', 'dashboard');

/**
 * The dashboard's pages load nothing but their own files: no CDN, no inline script or style
 * element (uPlot and Preact set styles through the CSSOM, which `style-src` does not restrict).
 * Only on dashboard responses: Swagger UI at /api/docs has needs of its own.
 */
export const DASHBOARD_CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

const NOT_BUILT = 'The dashboard has not been built: run `npm run build` (or `npm run build:dashboard`), then restart the service.\n';

/**
 * Serves the dashboard at /dashboard, /dashboard/ and its assets, with the SPA fallback: a GET
 * for a client route (a path under /dashboard whose last segment has no dot) answers index.html.
 *
 * These are plain Fastify routes beside the Nest application, so the global guards, pipes and
 * throttler never see them: the page and its files are public, and everything the page shows
 * comes from the API under the admin's bearer token. A second @fastify/static instance (the
 * first is Swagger UI's) in its own encapsulated scope, so its 404 handler and CSP hook apply to
 * /dashboard only, and with `decorateReply: false` so it does not clash with Swagger's.
 */
export async function registerDashboard(fastify: FastifyInstance, root = DASHBOARD_DIR): Promise<void> {
  const index = join(root, 'index.html');
  const built = existsSync(index);
  await fastify.register(
    async (scope) => {
      scope.addHook('onSend', async (_request, reply) => {
        void reply.header('content-security-policy', DASHBOARD_CSP);
        void reply.header('x-content-type-options', 'nosniff');
      });
      if (!built) {
        const unavailable = async (_request: FastifyRequest, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
        scope.get('/', unavailable);
        scope.get('/*', unavailable);
        return;
      }
      // index.html is read on each request (a few hundred bytes) so a rebuild shows without a restart.
      const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(await readFile(index));
      scope.get('/', sendIndex);
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        decorateReply: false,
        index: false,
        // Vite names every asset by its content hash, so a browser may keep them for good.
        setHeaders: (reply, path) => {
          void reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
      scope.setNotFoundHandler(async (request, reply) => {
        const last = request.url.split('?')[0].split('/').pop() ?? '';
        if ((request.method === 'GET' || request.method === 'HEAD') && !last.includes('.')) return sendIndex(request, reply);
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
      });
    },
    { prefix: DASHBOARD_PATH },
  );
}
