import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { KIE_WEBHOOK_HEADERS, parseKieCallback, verifyKieWebhook, WebhookReplayCache } from '../kie/index.ts';

/** A KIE callback body is a recordInfo record: a few KiB. 32 MiB (the batch upload limit) would invite abuse. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;
/** Per client address. KIE sends one callback per finished job; a burst of a thousand a minute is not KIE. */
export const CALLBACK_RATE_LIMIT = { max: 1_000, timeWindow: 60_000 };

/**
 * KIE's completion callback: a cue, never a verdict. Each account's jobs call back to `/kie/callback/<account>`,
 * verified with that account's signing key and delivered only to a job of that account; `/kie/callback` (the
 * URL jobs created before accounts existed carry) is verified with KIE_WEBHOOK_KEY and routed by job id alone. Whatever it says, the task asks KIE for its own status,
 * and only that answer ends it (charged, refunded or retried). With KIE_WEBHOOK_KEY set, unsigned, stale
 * and replayed deliveries are refused; a verified one may also show progress. The answer is the same for
 * known and unknown task ids (no lookup that could tell them apart), bodies are small and callers throttled.
 */
export function registerCallbackRoute(app: FastifyInstance, deps: AppDeps, replays = new WebhookReplayCache()): void {
  const route = { bodyLimit: CALLBACK_BODY_LIMIT, config: { rateLimit: CALLBACK_RATE_LIMIT } };
  app.post('/kie/callback', route, (req, reply) => receive(req.body, req.headers, reply, deps.webhookKey, undefined));
  app.post<{ Params: { accountId: string } }>('/kie/callback/:accountId', route, (req, reply) => {
    const { accountId } = req.params;
    const account = deps.kieAccounts.get(accountId);
    if (!account) return reply.code(404).send({ ok: false, message: `no KIE account "${accountId}"` });
    return receive(req.body, req.headers, reply, account.webhookKey ?? deps.webhookKey, accountId);
  });

  async function receive(body: unknown, headers: FastifyRequest['headers'], reply: FastifyReply, webhookKey: string | undefined, accountId: string | undefined) {
    const parsed = parseKieCallback(body);
    if (!parsed.ok) return reply.code(400).send({ ok: false, message: parsed.reason });
    let verified = false;
    if (webhookKey) {
      const now = Date.now();
      const verdict = verifyKieWebhook({
        taskId: parsed.remoteTaskId,
        timestampHeader: headers[KIE_WEBHOOK_HEADERS.timestamp],
        signatureHeader: headers[KIE_WEBHOOK_HEADERS.signature],
        key: webhookKey,
        nowMs: now,
      });
      if (!verdict.ok) return reply.code(401).send({ ok: false, message: verdict.reason });
      // A replay is acknowledged (KIE stops retrying) and ignored.
      if (!replays.firstSeen(parsed.remoteTaskId, verdict.timestamp, verdict.timestampMs, now)) return reply.code(200).send({ ok: true });
      verified = true;
    }
    deps.fleet.supervisor.deliverCallback(parsed.remoteTaskId, parsed.status, verified, accountId);
    return reply.code(200).send({ ok: true });
  }
}
