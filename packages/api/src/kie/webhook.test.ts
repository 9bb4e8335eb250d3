import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signKieWebhook, verifyKieWebhook, WebhookReplayCache } from './webhook.ts';

const key = 'whsec_test_key';
const taskId = 'task_sora-2-text-to-video_1';
const nowMs = 1_765_183_463_848;
const tsSec = String(Math.floor(nowMs / 1000));

function input(over: Partial<Parameters<typeof verifyKieWebhook>[0]> = {}) {
  return {
    taskId,
    timestampHeader: tsSec,
    signatureHeader: signKieWebhook(taskId, tsSec, key),
    key,
    nowMs,
    ...over,
  };
}

describe('signKieWebhook', () => {
  it('is base64(HMAC-SHA256(taskId + "." + timestamp, key))', () => {
    const expected = createHmac('sha256', key).update(`${taskId}.${tsSec}`).digest('base64');
    expect(signKieWebhook(taskId, tsSec, key)).toBe(expected);
    expect(Buffer.from(signKieWebhook(taskId, tsSec, key), 'base64')).toHaveLength(32);
  });
  it('depends on every input', () => {
    const s = signKieWebhook(taskId, tsSec, key);
    expect(signKieWebhook(`${taskId}x`, tsSec, key)).not.toBe(s);
    expect(signKieWebhook(taskId, `${tsSec}1`, key)).not.toBe(s);
    expect(signKieWebhook(taskId, tsSec, `${key}x`)).not.toBe(s);
  });
});

describe('verifyKieWebhook', () => {
  it('accepts a fresh, correctly signed call (seconds timestamp)', () => {
    expect(verifyKieWebhook(input())).toMatchObject({ ok: true });
  });
  it('accepts a millisecond timestamp', () => {
    const ts = String(nowMs);
    expect(verifyKieWebhook(input({ timestampHeader: ts, signatureHeader: signKieWebhook(taskId, ts, key) }))).toMatchObject({ ok: true });
  });
  it('accepts skew just inside the tolerance both ways', () => {
    for (const delta of [-299, 299]) {
      const ts = String(Number(tsSec) + delta);
      expect(verifyKieWebhook(input({ timestampHeader: ts, signatureHeader: signKieWebhook(taskId, ts, key) }))).toMatchObject({ ok: true });
    }
  });
  it('rejects a stale timestamp even when the signature is right', () => {
    const ts = String(Number(tsSec) - 301);
    const r = verifyKieWebhook(input({ timestampHeader: ts, signatureHeader: signKieWebhook(taskId, ts, key) }));
    expect(r).toEqual({ ok: false, reason: 'stale timestamp' });
  });
  it('rejects a future timestamp', () => {
    const ts = String(Number(tsSec) + 301);
    const r = verifyKieWebhook(input({ timestampHeader: ts, signatureHeader: signKieWebhook(taskId, ts, key) }));
    expect(r).toEqual({ ok: false, reason: 'timestamp in the future' });
  });
  it('honours a custom tolerance', () => {
    const ts = String(Number(tsSec) - 20);
    const base = { timestampHeader: ts, signatureHeader: signKieWebhook(taskId, ts, key) };
    expect(verifyKieWebhook(input({ ...base, toleranceMs: 10_000 })).ok).toBe(false);
    expect(verifyKieWebhook(input({ ...base, toleranceMs: 30_000 })).ok).toBe(true);
  });
  it('rejects a forged signature, a wrong key, another task id and a replayed timestamp', () => {
    expect(verifyKieWebhook(input({ signatureHeader: signKieWebhook(taskId, tsSec, 'other') }))).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyKieWebhook(input({ key: 'other' }))).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyKieWebhook(input({ taskId: 'task_other' }))).toEqual({ ok: false, reason: 'bad signature' });
    // Same signature, a fresher timestamp: the timestamp is covered by the HMAC.
    expect(verifyKieWebhook(input({ timestampHeader: String(Number(tsSec) + 1) })).ok).toBe(false);
  });
  it('rejects malformed or missing headers without throwing', () => {
    const cases: Array<[Partial<Parameters<typeof verifyKieWebhook>[0]>, string]> = [
      [{ timestampHeader: undefined }, 'missing or repeated X-Webhook-Timestamp'],
      [{ timestampHeader: '' }, 'missing or repeated X-Webhook-Timestamp'],
      [{ timestampHeader: [tsSec, tsSec] }, 'missing or repeated X-Webhook-Timestamp'],
      [{ timestampHeader: '12ab' }, 'malformed X-Webhook-Timestamp'],
      [{ timestampHeader: '-5' }, 'malformed X-Webhook-Timestamp'],
      [{ timestampHeader: '1e12' }, 'malformed X-Webhook-Timestamp'],
      [{ signatureHeader: undefined }, 'missing or repeated X-Webhook-Signature'],
      [{ signatureHeader: 'not base64!' }, 'malformed X-Webhook-Signature'],
      [{ signatureHeader: 'c2hvcnQ=' }, 'malformed X-Webhook-Signature'],
      [{ signatureHeader: Buffer.alloc(64).toString('base64') }, 'malformed X-Webhook-Signature'],
      [{ taskId: '' }, 'missing taskId'],
      [{ taskId: undefined }, 'missing taskId'],
      [{ key: '' }, 'no webhook key configured'],
    ];
    for (const [over, reason] of cases) expect(verifyKieWebhook(input(over)), JSON.stringify(over)).toEqual({ ok: false, reason });
  });
  it('rejects a 32-byte signature of the wrong content', () => {
    expect(verifyKieWebhook(input({ signatureHeader: Buffer.alloc(32).toString('base64') }))).toEqual({ ok: false, reason: 'bad signature' });
  });
});

describe('WebhookReplayCache', () => {
  it('accepts a signed delivery once, forgets it when it could no longer pass the freshness check, and stays bounded', () => {
    const cache = new WebhookReplayCache(1_000, 3);
    expect(cache.firstSeen('t1', '100', 100, 100)).toBe(true);
    expect(cache.firstSeen('t1', '100', 100, 200)).toBe(false);
    expect(cache.firstSeen('t1', '101', 101, 200)).toBe(true);
    expect(cache.firstSeen('t2', '100', 100, 200)).toBe(true);
    expect(cache.firstSeen('t3', '100', 100, 200)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.firstSeen('t4', '2000', 2_000, 2_000)).toBe(true);
    expect(cache.size).toBe(1);
  });
});
