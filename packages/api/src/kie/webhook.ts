import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * KIE callback signatures (kie-api.md, "unconfirmed" upstream):
 *   X-Webhook-Signature = base64(HMAC-SHA256(taskId + "." + timestamp, key))
 * The HMAC covers the timestamp header exactly as sent, so verification never re-formats it.
 */
export const KIE_WEBHOOK_HEADERS = { timestamp: 'x-webhook-timestamp', signature: 'x-webhook-signature' } as const;

export const DEFAULT_TOLERANCE_MS = 5 * 60_000;
const SHA256_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DIGITS = /^\d{1,16}$/;

export function signKieWebhook(taskId: string, timestamp: string | number, key: string): string {
  return createHmac('sha256', key).update(`${taskId}.${timestamp}`).digest('base64');
}

/** Header values as a web framework hands them over (node's IncomingHttpHeaders allows arrays). */
type HeaderValue = string | string[] | undefined;

export interface VerifyKieWebhookInput {
  taskId: string | undefined;
  timestampHeader: HeaderValue;
  signatureHeader: HeaderValue;
  key: string;
  nowMs: number;
  toleranceMs?: number;
}

/** `timestamp` is the header exactly as signed, `timestampMs` its time: together with the task id they name one delivery. */
export type VerifyKieWebhookResult = { ok: true; timestamp: string; timestampMs: number } | { ok: false; reason: string };

/**
 * The timestamp's unit is not documented: 10-digit-ish values are read as Unix seconds,
 * 13-digit ones as Unix ms (anything below 1e12 ms would be before 2001, so the split is safe).
 */
function timestampToMs(raw: string): number {
  const n = Number(raw);
  return n < 1e12 ? n * 1000 : n;
}

export function verifyKieWebhook(input: VerifyKieWebhookInput): VerifyKieWebhookResult {
  const tolerance = input.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  if (!input.key) return { ok: false, reason: 'no webhook key configured' };
  if (!input.taskId) return { ok: false, reason: 'missing taskId' };
  const ts = single(input.timestampHeader);
  const sig = single(input.signatureHeader);
  if (ts === undefined) return { ok: false, reason: 'missing or repeated X-Webhook-Timestamp' };
  if (sig === undefined) return { ok: false, reason: 'missing or repeated X-Webhook-Signature' };
  if (!DIGITS.test(ts)) return { ok: false, reason: 'malformed X-Webhook-Timestamp' };
  if (!BASE64.test(sig)) return { ok: false, reason: 'malformed X-Webhook-Signature' };
  const given = Buffer.from(sig, 'base64');
  if (given.length !== SHA256_BYTES) return { ok: false, reason: 'malformed X-Webhook-Signature' };

  const timestampMs = timestampToMs(ts);
  const skew = timestampMs - input.nowMs;
  if (skew < -tolerance) return { ok: false, reason: 'stale timestamp' };
  if (skew > tolerance) return { ok: false, reason: 'timestamp in the future' };

  const expected = createHmac('sha256', input.key).update(`${input.taskId}.${ts}`).digest();
  // Both are 32 bytes here, so timingSafeEqual cannot throw and leaks nothing about where they differ.
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  return { ok: true, timestamp: ts, timestampMs };
}

function single(v: HeaderValue): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/**
 * The signature covers only `taskId.timestamp`, not the body: a captured header pair could be sent again with
 * any body. Each signed (taskId, timestamp) is accepted once; entries are kept until the timestamp is too old to
 * pass the freshness check anyway, so the cache holds at most the tolerance window's deliveries (and is bounded).
 */
export class WebhookReplayCache {
  /** key -> expiry (ms); insertion order is close to expiry order (timestamps are fresh). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly toleranceMs = DEFAULT_TOLERANCE_MS,
    private readonly maxEntries = 100_000,
  ) {}

  /** True the first time this delivery is seen; false for a replay. */
  firstSeen(taskId: string, timestamp: string, timestampMs: number, nowMs: number): boolean {
    this.expire(nowMs);
    const key = `${taskId}.${timestamp}`;
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, timestampMs + this.toleranceMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    for (const [key, expiry] of this.seen) {
      if (expiry > nowMs) return;
      this.seen.delete(key);
    }
  }
}
