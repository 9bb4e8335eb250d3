import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getBatchConfig } from '../src/config/plans.ts';
import type { RetryConfig } from '../src/config/schema.ts';
import {
  classifyError,
  generationFailure,
  isContentPolicyRefusal,
  mayRetry,
  retryBudget,
  retryDelayMs,
  throttleDelayMs,
  type ErrorDecision,
} from '../src/policy/retry.ts';
import { decideAfterError, judgeStatus, type AttemptState } from '../src/task/decisions.ts';
import type { ProviderError } from '../src/ports/gateway.ts';

const retry: RetryConfig = getBatchConfig('pro').retry;
const err = (code: number, message = 'x', retryAfterMs?: number): ProviderError =>
  retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };

describe('classifyError: the kie-api.md table', () => {
  it.each([
    [400, 'fatal'],
    [401, 'halt'],
    [402, 'halt'],
    [404, 'fatal'],
    [408, 'retry'],
    [422, 'fatal'],
    [429, 'throttle'],
    [433, 'halt'],
    [455, 'throttle'],
    [500, 'retry'],
    [501, 'retry'],
    [505, 'fatal'],
    [0, 'retry'],
  ] as const)('code %i -> %s', (code, kind) => {
    expect(classifyError(err(code, 'generation failed')).kind).toBe(kind);
  });

  it('retryable errors: only 501 is a generation failure', () => {
    expect(classifyError(err(501, 'internal error'))).toEqual({ kind: 'retry', generationFailure: true });
    expect(classifyError(err(500))).toEqual({ kind: 'retry', generationFailure: false });
    expect(classifyError(err(408))).toEqual({ kind: 'retry', generationFailure: false });
    expect(classifyError(err(0, 'ECONNRESET'))).toEqual({ kind: 'retry', generationFailure: false });
  });

  it('429/455 carry Retry-After', () => {
    expect(classifyError(err(429, 'rate limited', 7000))).toEqual({ kind: 'throttle', retryAfterMs: 7000 });
    expect(classifyError(err(455, 'maintenance', 60_000))).toEqual({ kind: 'throttle', retryAfterMs: 60_000 });
    expect(classifyError(err(429))).toEqual({ kind: 'throttle', retryAfterMs: undefined });
  });

  it.each([
    'Content blocked by safety system',
    'NSFW content detected',
    'possible copyright infringement',
    'SAFETY check failed',
    'violates our content policy',
  ])('501 with a content-policy refusal is fatal: %s', (msg) => {
    expect(isContentPolicyRefusal(msg)).toBe(true);
    expect(classifyError(err(501, msg))).toEqual({ kind: 'fatal' });
  });

  it('501 with another failure message is retryable', () => {
    for (const msg of ['generation failed', 'internal error, please try again', 'timeout']) {
      expect(isContentPolicyRefusal(msg)).toBe(false);
      expect(classifyError(err(501, msg)).kind).toBe('retry');
    }
    expect(isContentPolicyRefusal(undefined)).toBe(false);
  });

  test.prop([fc.integer({ min: 0, max: 999 }), fc.string()])('every code gets one of the four decisions; unknown codes are fatal', (code, msg) => {
    const d = classifyError(err(code, msg));
    expect(['retry', 'throttle', 'halt', 'fatal']).toContain(d.kind);
    const known = [0, 401, 402, 408, 429, 433, 455, 500, 501, 502, 503, 504];
    if (!known.includes(code)) expect(d.kind).toBe('fatal');
  });
});

describe('generationFailure', () => {
  it('maps a failed generation to 501 with the failMsg unless failCode is a numeric >= 400 code', () => {
    expect(generationFailure(undefined, 'boom')).toEqual({ code: 501, message: 'boom' });
    expect(generationFailure('', '')).toEqual({ code: 501, message: 'generation failed' });
    expect(generationFailure('E_SAFETY', 'nsfw')).toEqual({ code: 501, message: 'nsfw' });
    expect(generationFailure(200, 'odd')).toEqual({ code: 501, message: 'odd' });
    expect(generationFailure('501', 'x')).toEqual({ code: 501, message: 'x' });
    expect(generationFailure(400, 'bad')).toEqual({ code: 400, message: 'bad' });
    expect(generationFailure('422', 'bad')).toEqual({ code: 422, message: 'bad' });
  });
});

describe('retryDelayMs', () => {
  it('exact 2000 / 4000 / 8000 with jitterRatio 0 (the last step repeats)', () => {
    expect(retry.jitterRatio).toBe(0);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, retry))).toEqual([2000, 4000, 8000, 8000, 8000]);
    // a random source changes nothing when jitterRatio is 0
    expect([1, 2, 3].map((n) => retryDelayMs(n, retry, () => 0.99))).toEqual([2000, 4000, 8000]);
  });

  it('jitter is added, never subtracted, and needs a random source', () => {
    const jittery = { ...retry, jitterRatio: 0.5 };
    expect(retryDelayMs(1, jittery)).toBe(2000);
    expect(retryDelayMs(1, jittery, () => 0)).toBe(2000);
    expect(retryDelayMs(1, jittery, () => 0.5)).toBe(2500);
    expect(retryDelayMs(3, jittery, () => 0.999)).toBe(11_996);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    'bounded jitter: base <= delay < base x (1 + jitterRatio)',
    (n, jitterRatio, r) => {
      const cfg = { ...retry, jitterRatio };
      const base = [2000, 4000, 8000][Math.min(n, 3) - 1]!;
      const d = retryDelayMs(n, cfg, () => r);
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(base);
      // strictly below the cap (or the base itself when the jitter is too small to show)
      expect(d < base * (1 + jitterRatio) || d === base).toBe(true);
      if (jitterRatio === 0) expect(d).toBe(base);
    },
  );
});

describe('throttleDelayMs', () => {
  it('Retry-After when given (capped), else doubling from base to max', () => {
    expect(throttleDelayMs(1, retry, 7000)).toBe(7000);
    expect(throttleDelayMs(1, retry, 10 * 60_000)).toBe(120_000);
    expect(throttleDelayMs(1, retry, 0)).toBe(5000);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => throttleDelayMs(n, retry))).toEqual([5000, 10_000, 20_000, 40_000, 80_000, 120_000, 120_000]);
  });
});

describe('mayRetry', () => {
  const r: ErrorDecision = { kind: 'retry', generationFailure: false };
  const g: ErrorDecision = { kind: 'retry', generationFailure: true };

  it('at most 3 retries: attempts 1..3 may retry, attempt 4 may not', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => mayRetry(r, { attempts, generationRetries: 0 }, retry))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('a 501 generation failure is retried at most once', () => {
    expect(retry.maxGenerationFailureRetries).toBe(1);
    expect(mayRetry(g, { attempts: 1, generationRetries: 0 }, retry)).toBe(true);
    expect(mayRetry(g, { attempts: 2, generationRetries: 1 }, retry)).toBe(false);
    // a 500 after a used 501 retry is still within the general budget
    expect(mayRetry(r, { attempts: 2, generationRetries: 1 }, retry)).toBe(true);
    expect(mayRetry(g, { attempts: 1, generationRetries: 0 }, { ...retry, maxGenerationFailureRetries: 0 })).toBe(false);
  });

  it('never for throttle, halt or fatal', () => {
    for (const d of [{ kind: 'throttle', retryAfterMs: undefined }, { kind: 'halt' }, { kind: 'fatal' }] as ErrorDecision[]) {
      expect(mayRetry(d, { attempts: 1, generationRetries: 0 }, retry)).toBe(false);
    }
  });
});

describe('decideAfterError', () => {
  const fresh: AttemptState = { attempt: 1, generationRetries: 0, throttles: 0 };

  it('retry consumes an attempt with the 2/4/8 s ladder, then fails', () => {
    let s = fresh;
    const delays: number[] = [];
    for (;;) {
      const d = decideAfterError(s, err(500), retry);
      if (d.next !== 'retrying') {
        expect(d.next).toBe('failed');
        break;
      }
      expect(d.consumesAttempt).toBe(true);
      expect(d.attempt).toBe(s.attempt + 1);
      delays.push(d.delayMs);
      s = d;
    }
    expect(delays).toEqual([2000, 4000, 8000]);
    expect(s.attempt).toBe(4); // 1 first attempt + 3 retries
  });

  it('throttle (429/455) does not consume an attempt, and retries reset the throttle count', () => {
    const a = decideAfterError({ attempt: 2, generationRetries: 0, throttles: 0 }, err(429), retry);
    expect(a).toEqual({ next: 'retrying', consumesAttempt: false, delayMs: 5000, attempt: 2, generationRetries: 0, throttles: 1 });
    const b = decideAfterError(a as AttemptState, err(455, 'maintenance', 30_000), retry);
    expect(b).toEqual({ next: 'retrying', consumesAttempt: false, delayMs: 30_000, attempt: 2, generationRetries: 0, throttles: 2 });
    const c = decideAfterError(b as AttemptState, err(429), retry);
    expect(c).toMatchObject({ delayMs: 20_000, attempt: 2, throttles: 3 });
    const d = decideAfterError(c as AttemptState, err(408), retry);
    expect(d).toEqual({ next: 'retrying', consumesAttempt: true, delayMs: 4000, attempt: 3, generationRetries: 0, throttles: 0 });
  });

  it('throttles never exhaust the budget, even on the last attempt', () => {
    let s: AttemptState = { attempt: 4, generationRetries: 0, throttles: 0 };
    for (let i = 0; i < 50; i++) {
      const d = decideAfterError(s, err(429), retry);
      expect(d.next).toBe('retrying');
      s = d as AttemptState;
    }
    expect(s.attempt).toBe(4);
    expect(decideAfterError(s, err(500), retry).next).toBe('failed');
  });

  it('501 retried once, then failed; content refusals and fatal codes fail at once; halts halt', () => {
    const a = decideAfterError(fresh, err(501, 'generation failed'), retry);
    expect(a).toMatchObject({ next: 'retrying', consumesAttempt: true, attempt: 2, generationRetries: 1, delayMs: 2000 });
    expect(decideAfterError(a as AttemptState, err(501, 'generation failed'), retry)).toEqual({ next: 'failed' });
    expect(decideAfterError(fresh, err(501, 'blocked: nsfw'), retry)).toEqual({ next: 'failed' });
    for (const code of [400, 404, 422, 505]) expect(decideAfterError(fresh, err(code), retry)).toEqual({ next: 'failed' });
    for (const code of [401, 402, 433]) expect(decideAfterError(fresh, err(code), retry)).toEqual({ next: 'halted' });
  });

  const codes = fc.constantFrom(0, 400, 401, 402, 404, 408, 422, 429, 433, 455, 500, 501, 505);
  test.prop([fc.array(fc.tuple(codes, fc.constantFrom('generation failed', 'nsfw')), { maxLength: 40 })])(
    'over any error sequence: at most 3 retries, at most one 501 retry, throttles never consume, delays from the ladder',
    (errors) => {
      let s: AttemptState = { attempt: 1, generationRetries: 0, throttles: 0 };
      let retries = 0;
      for (const [code, msg] of errors) {
        const d = decideAfterError(s, err(code, msg), retry);
        if (d.next !== 'retrying') break;
        if (code === 429 || code === 455) {
          expect(d.consumesAttempt).toBe(false);
          expect(d.attempt).toBe(s.attempt);
        } else {
          expect(d.consumesAttempt).toBe(true);
          expect(d.delayMs).toBe([2000, 4000, 8000][s.attempt - 1]);
          retries++;
        }
        s = d;
        expect(retries).toBeLessThanOrEqual(3);
        expect(s.generationRetries).toBeLessThanOrEqual(1);
        expect(s.attempt).toBe(1 + retries);
      }
    },
  );
});

describe('judgeStatus', () => {
  const grace = 90_000;
  it('422 "recordInfo is null" / 404 within grace: notYet; at or after: lost', () => {
    for (const code of [422, 404]) {
      const r = { ok: false as const, error: err(code, 'recordInfo is null') };
      expect(judgeStatus(r, 0, grace)).toEqual({ kind: 'notYet' });
      expect(judgeStatus(r, 89_999, grace)).toEqual({ kind: 'notYet' });
      expect(judgeStatus(r, 90_000, grace)).toEqual({ kind: 'lost', error: r.error });
      expect(judgeStatus(r, 500_000, grace)).toEqual({ kind: 'lost', error: r.error });
    }
  });

  it('other query errors are query failures, never task failures', () => {
    for (const code of [0, 429, 500, 455]) {
      const r = { ok: false as const, error: err(code) };
      expect(judgeStatus(r, 10, grace)).toEqual({ kind: 'queryFailed', error: r.error });
      expect(judgeStatus(r, 10 * grace, grace)).toEqual({ kind: 'queryFailed', error: r.error });
    }
  });

  it('success / fail / in progress', () => {
    const ok = { state: 'success' as const, resultUrls: ['https://x/1.mp4'] };
    expect(judgeStatus({ ok: true, status: ok }, 1, grace)).toEqual({ kind: 'succeeded', status: ok });
    expect(judgeStatus({ ok: true, status: { state: 'fail', failMsg: 'nsfw' } }, 1, grace)).toEqual({
      kind: 'generationFailed',
      error: { code: 501, message: 'nsfw' },
    });
    for (const state of ['waiting', 'queuing', 'generating'] as const) {
      expect(judgeStatus({ ok: true, status: { state, progress: 40 } }, 1, grace).kind).toBe('inProgress');
    }
  });
});

describe('content refusals and generation failures whatever the code', () => {
  it('a refusal is final even when it comes with a 5xx code', () => {
    expect(classifyError(err(500, 'This request violates our safety policy'))).toEqual({ kind: 'fatal' });
    expect(classifyError(generationFailure('500', 'Rejected: copyright'))).toEqual({ kind: 'fatal' });
  });

  it('a failed generation with a 5xx failCode is a 501, so its one-retry budget applies', () => {
    expect(generationFailure('500', 'internal error')).toEqual({ code: 501, message: 'internal error' });
    expect(classifyError(generationFailure(503, 'busy'))).toEqual({ kind: 'retry', generationFailure: true });
  });
});

describe('retryBudget: more retries for failed generations while the provider is degraded', () => {
  const base = retry;
  it('keeps the configured budget while healthy and lets generation failures use the whole budget while degraded', () => {
    expect(retryBudget(base, false)).toBe(base);
    expect(retryBudget(base, true)).toEqual({ ...base, maxGenerationFailureRetries: base.maxRetries });
    const busy = classifyError({ code: 501, message: 'server busy' });
    expect(mayRetry(busy, { attempts: 2, generationRetries: 1 }, base)).toBe(false);
    expect(mayRetry(busy, { attempts: 2, generationRetries: 1 }, retryBudget(base, true))).toBe(true);
    // A refusal stays final whatever the budget.
    expect(mayRetry(classifyError({ code: 501, message: 'content policy violation' }), { attempts: 1, generationRetries: 0 }, retryBudget(base, true))).toBe(false);
  });
});
