import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { KIE_WEBHOOK_HEADERS, parseKieCallback, verifyKieWebhook, WebhookReplayCache } from '../kie/index.ts';

/** A KIE callback body is a recordInfo record: a few KiB. 32 MiB (the batch upload limit) would invite abuse. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;
/** Per client address. KIE sends one callback per finished job; a burst of a thousand a minute is not KIE. */
export const CALLBACK_RATE_LIMIT = { max: 1_000, timeWindow: 60_000 };

/**
 * KIE's completion callback: a cue, never a verdict. Whatever it says, the task asks KIE for its own status,
 * and only that answer ends it (charged, refunded or retried). With KIE_WEBHOOK_KEY set, unsigned, stale
 * and replayed deliveries are refused; a verified one may also show progress. The answer is the same for
 * known and unknown task ids (no lookup that could tell them apart), bodies are small and callers throttled.
 */
export function registerCallbackRoute(app: FastifyInstance, deps: AppDeps, replays = new WebhookReplayCache()): void {
  app.post('/kie/callback', { bodyLimit: CALLBACK_BODY_LIMIT, config: { rateLimit: CALLBACK_RATE_LIMIT } }, async (req, reply) => {
    const parsed = parseKieCallback(req.body);
    if (!parsed.ok) return reply.code(400).send({ ok: false, message: parsed.reason });
    let verified = false;
    if (deps.webhookKey) {
      const now = Date.now();
      const verdict = verifyKieWebhook({
        taskId: parsed.remoteTaskId,
        timestampHeader: req.headers[KIE_WEBHOOK_HEADERS.timestamp],
        signatureHeader: req.headers[KIE_WEBHOOK_HEADERS.signature],
        key: deps.webhookKey,
        nowMs: now,
      });
      if (!verdict.ok) return reply.code(401).send({ ok: false, message: verdict.reason });
      // A replay is acknowledged (KIE stops retrying) and ignored.
      if (!replays.firstSeen(parsed.remoteTaskId, verdict.timestamp, verdict.timestampMs, now)) return reply.code(200).send({ ok: true });
      verified = true;
    }
    await deps.port.deliverCallback(parsed.remoteTaskId, parsed.status, verified);
    return reply.code(200).send({ ok: true });
  });
}
