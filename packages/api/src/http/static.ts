import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web client at `/` when its folder exists, with the SPA fallback to index.html for page
 * routes only: a missing file (`/assets/x.js`, anything with an extension) is a 404, not the app's HTML.
 */
export async function registerWebClient(app: FastifyInstance, webDist: string | undefined): Promise<boolean> {
  if (!webDist) return false;
  const root = resolve(webDist);
  if (!existsSync(resolve(root, 'index.html'))) return false;
  await app.register(fastifyStatic, { root, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const api = ['/trpc', '/api/', '/kie/', '/batches/', '/tasks/', '/assets/'].some((prefix) => path.startsWith(prefix));
    const file = /\.[A-Za-z0-9]+$/.test(path);
    if (req.method === 'GET' && !api && !file) return reply.sendFile('index.html');
    return reply.code(404).send({ error: 'NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} not found` });
  });
  return true;
}
