import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Serves the built web client at `/` when its folder exists, with the SPA fallback to index.html. */
export async function registerWebClient(app: FastifyInstance, webDist: string | undefined): Promise<boolean> {
  if (!webDist) return false;
  const root = resolve(webDist);
  if (!existsSync(resolve(root, 'index.html'))) return false;
  await app.register(fastifyStatic, { root, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const api = req.url.startsWith('/trpc') || req.url.startsWith('/api/') || req.url.startsWith('/kie/') || req.url.startsWith('/batches/');
    if (req.method === 'GET' && !api) return reply.sendFile('index.html');
    return reply.code(404).send({ error: 'NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} not found` });
  });
  return true;
}
