import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { KIE_WEBHOOK_HEADERS, parseKieCallback, verifyKieWebhook } from '../kie/index.ts';
import { findTaskByRemoteId } from '../store/batches.ts';

/**
 * KIE's completion callback. With KIE_WEBHOOK_KEY set, forged and stale calls are rejected. Callbacks are
 * at-least-once: the supervisor ignores duplicates and stale ones, and polling stays as a backstop.
 */
export function registerCallbackRoute(app: FastifyInstance, deps: AppDeps): void {
  app.post('/kie/callback', async (req, reply) => {
    const parsed = parseKieCallback(req.body);
    if (!parsed.ok) return reply.code(400).send({ ok: false, message: parsed.reason });
    if (deps.webhookKey) {
      const verdict = verifyKieWebhook({
        taskId: parsed.remoteTaskId,
        timestampHeader: req.headers[KIE_WEBHOOK_HEADERS.timestamp],
        signatureHeader: req.headers[KIE_WEBHOOK_HEADERS.signature],
        key: deps.webhookKey,
        nowMs: Date.now(),
      });
      if (!verdict.ok) return reply.code(401).send({ ok: false, message: verdict.reason });
    }
    // Unknown ids (another deployment's, or long gone) are acknowledged so KIE stops retrying.
    const task = await findTaskByRemoteId(deps.db, parsed.remoteTaskId);
    if (task) deps.fleet.supervisor.deliverCallback(parsed.remoteTaskId, parsed.status);
    return reply.code(200).send({ ok: true, known: Boolean(task) });
  });
}
