import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../http/auth.ts';
import { isAdminKey } from '../trpc/context.ts';
import { appRouter } from '../trpc/root.ts';
import type { Metrics } from './index.ts';

const SUBSCRIPTIONS = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, p]) => p._def.type === 'subscription')
    .map(([path]) => path),
);

/**
 * `GET /metrics` in the Prometheus text format, for the admin key only (`Authorization: Bearer <ADMIN_KEY>`;
 * Prometheus: `authorization: { credentials: ... }`). It also counts open SSE streams: every EventSource asks
 * with `Accept: text/event-stream`, and a stream ends when its socket closes.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, adminKey: string): void {
  // Scraped every few seconds: a request line each time would drown the task lines.
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    if (!isAdminKey(bearerToken(req.headers.authorization), adminKey)) {
      return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'admin key required: send Authorization: Bearer <admin key>' });
    }
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/trpc/') || !String(req.headers.accept ?? '').includes('text/event-stream')) return;
    const procedure = req.url.slice('/trpc/'.length).split('?')[0] ?? '';
    // Only real subscriptions become labels: a made-up path must not grow the metric.
    if (!SUBSCRIPTIONS.has(procedure)) return;
    const gauge = metrics.set.sseSubscribers;
    gauge.inc({ procedure });
    reply.raw.once('close', () => gauge.dec({ procedure }));
  });
}
