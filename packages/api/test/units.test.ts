import { DEFAULT_CONFIG } from '@clipfleet/engine';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { estimateBatch } from '../src/batches/estimate.ts';
import { groupFailures, messageClass } from '../src/batches/failures.ts';
import { normalizeRows, RowsError } from '../src/batches/normalize.ts';
import { EnvError, optionsFromEnv } from '../src/config.ts';
import { createScaledClock } from '../src/fleet/clock.ts';
import { formatPath } from '../src/trpc/format.ts';

describe('formatPath', () => {
  it('writes paths as a user would', () => {
    expect(formatPath(['rows', 3, 'resolution'])).toBe('rows[3].resolution');
    expect(formatPath([])).toBe('(input)');
    expect(formatPath(['defaults', 'model'])).toBe('defaults.model');
  });
});

describe('normalizeRows', () => {
  it('applies defaults, row overrides and prices', () => {
    const rows = normalizeRows(
      { rows: [{ prompt: 'a' }, { prompt: 'b', model: 'sora-2', duration: 10 }, { prompt: 'c', resolution: '1080p' }], defaultModel: 'sora-2-pro', defaultResolution: '720p', defaultDuration: 15 },
      DEFAULT_CONFIG,
    );
    expect(rows.map((r) => [r.model, r.resolution, r.durationSec, r.price])).toEqual([
      ['sora-2-pro', '720p', 15, 60],
      ['sora-2', '720p', 10, 15],
      ['sora-2-pro', '1080p', 15, 130],
    ]);
  });

  test.prop([fc.array(fc.constantFrom('sora-2', 'sora-2-pro', 'sora-9'), { minLength: 1, maxLength: 30 }), fc.array(fc.constantFrom('720p', '1080p'), { minLength: 30, maxLength: 30 })])(
    'either prices every row or names every bad row',
    (models, resolutions) => {
      const input = { rows: models.map((model, i) => ({ prompt: `p${i}`, model, resolution: resolutions[i]! })) };
      const bad = input.rows.map((r, i) => [r, i] as const).filter(([r]) => r.model === 'sora-9' || (r.model === 'sora-2' && r.resolution === '1080p'));
      try {
        const out = normalizeRows(input, DEFAULT_CONFIG);
        expect(bad).toHaveLength(0);
        expect(out).toHaveLength(input.rows.length);
      } catch (err) {
        expect(err).toBeInstanceOf(RowsError);
        expect((err as RowsError).issues.map((m) => Number(/^rows\[(\d+)\]/.exec(m)![1]))).toEqual(bad.map(([, i]) => i));
      }
    },
  );
});

describe('estimateBatch', () => {
  it("reproduces the seed's table for 100 x 720p/15 s on pro (3 at once, ~75-90 s each)", () => {
    const rows = normalizeRows({ rows: Array.from({ length: 100 }, () => ({ prompt: 'x' })), defaultModel: 'sora-2-pro', defaultResolution: '720p', defaultDuration: 15 }, DEFAULT_CONFIG);
    const e = estimateBatch(rows, DEFAULT_CONFIG, 'pro');
    expect(e.totalCredits).toBe(6000);
    expect(e.classes).toEqual([expect.objectContaining({ count: 100, concurrency: 3 })]);
    expect(e.estimatedSeconds).toBe(Math.round((100 * e.classes[0]!.expectedSecondsEach) / 3));
  });
});

describe('failure analysis', () => {
  it('classifies messages and groups by code and cause', () => {
    expect(messageClass('Your prompt violates our safety policy')).toBe('content policy');
    expect(messageClass('Internal server error')).toBe('provider error');
    expect(messageClass('weird thing 123456 happened')).toBe('weird thing # happened');
    const g = groupFailures([
      { id: 'a', row_index: 0, state: 'failed', fail_code: '501', fail_message: 'nsfw content', attempts: 1 },
      { id: 'b', row_index: 1, state: 'failed', fail_code: '501', fail_message: 'copyright', attempts: 1 },
      { id: 'c', row_index: 2, state: 'timedOut', fail_code: 'timeout', fail_message: 'no result within 300 s', attempts: 2 },
    ]);
    expect(g.total).toBe(3);
    expect(g.groups.map((x) => [x.code, x.cause, x.count])).toEqual([
      ['501', 'content policy', 2],
      ['timeout', 'timeout', 1],
    ]);
  });
});

describe('scaled clock', () => {
  it('advances scale times faster than the wall and divides delays', async () => {
    let wall = 1_000;
    const clock = createScaledClock(20, () => wall);
    expect(clock.now()).toBe(20_000);
    wall += 50;
    expect(clock.now()).toBe(21_000);
    const fired = await new Promise<boolean>((resolve) => {
      clock.setTimeout(() => resolve(true), 20); // 1 ms of wall time
      setTimeout(() => resolve(false), 500);
    });
    expect(fired).toBe(true);
    expect(() => createScaledClock(0)).toThrow(/positive/);
  });
});

describe('environment', () => {
  it('defaults to the simulator at 20x on port 3000', () => {
    expect(optionsFromEnv({})).toMatchObject({ port: 3000, dbPath: './data/clipfleet.db', kie: { mode: 'sim', timeScale: 20 } });
  });
  it('reads result archive settings', () => {
    expect(optionsFromEnv({ RESULT_RETENTION_DAYS: '7', RESULT_MAX_MB: '100' }).results).toEqual({ retentionMs: 7 * 24 * 3600_000, maxBytes: 100 * 1024 * 1024 });
  });
  it('uses the real KIE client when KIE_API_KEY is set', () => {
    expect(optionsFromEnv({ KIE_API_KEY: 'k' }).kie).toEqual({ mode: 'real', apiKey: 'k', baseUrl: 'https://api.kie.ai', timeScale: 1 });
  });
  it.each([
    [{ PORT: 'abc' }, /^PORT="abc": must be a port number/],
    [{ PORT: '70000' }, /^PORT="70000": must be a port number/],
    [{ TIME_SCALE: '-3' }, /^TIME_SCALE="-3": must be a positive number/],
    [{ KIE_BASE_URL: 'nope' }, /^KIE_BASE_URL="nope": must be a URL/],
    [{ ADMIN_KEY: 'sixteen-chars-ok' }, /^ADMIN_KEY="sixteen-chars-ok": must be at least 32 characters/],
    [{ RESULT_RETENTION_DAYS: 'soon' }, /^RESULT_RETENTION_DAYS="soon": must be a number of days/],
  ])('rejects %o with one line naming it', (env, message) => {
    expect(() => optionsFromEnv(env)).toThrow(EnvError);
    expect(() => optionsFromEnv(env)).toThrow(message);
  });
});
