import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getBatchConfig, getPollingConfig } from '../src/config/plans.ts';
import type { PollingConfig } from '../src/config/schema.ts';
import {
  adaptiveDelayMs,
  backstopDelayMs,
  nextPollDelayMs,
  stagedIntervalMs,
  type Expectation,
  type PollInput,
} from '../src/policy/polling.ts';

const polling: PollingConfig = getBatchConfig('pro').polling;
const s = 1000;
const prior720: Expectation = { meanMs: 90 * s, sdMs: 30 * s };
const prior1080: Expectation = { meanMs: 300 * s, sdMs: 100 * s };
const input = (elapsedMs: number, resolution = '720p', expected = prior720, callbacks = false): PollInput => ({
  elapsedMs,
  resolution,
  expected,
  callbacks,
});

/** Poll times (since acceptance) until the first poll at or after `completionMs`. */
function schedule(config: PollingConfig, resolution: string, expected: Expectation, completionMs: number, callbacks = false): number[] {
  const polls: number[] = [];
  let t = 0;
  while (t < completionMs) {
    const d = nextPollDelayMs(config, { elapsedMs: t, resolution, expected, callbacks });
    expect(d).toBeGreaterThan(0);
    t += d;
    polls.push(t);
    if (polls.length > 100_000) throw new Error('runaway schedule');
  }
  return polls;
}

describe('staged schedule (the seed)', () => {
  it.each([
    [0, 3],
    [29_999, 3],
    [30_000, 5],
    [59_999, 5],
    [60_000, 8],
    [10 * 60_000, 8],
  ])('720p at %i ms: every %i s', (elapsed, sec) => {
    expect(stagedIntervalMs(polling, '720p', elapsed)).toBe(sec * s);
  });

  it.each([
    [0, 5],
    [59_999, 5],
    [60_000, 8],
    [179_999, 8],
    [180_000, 12],
    [3_600_000, 12],
  ])('1080p at %i ms: every %i s', (elapsed, sec) => {
    expect(stagedIntervalMs(polling, '1080p', elapsed)).toBe(sec * s);
  });

  it('an unknown resolution uses the first schedule', () => {
    expect(stagedIntervalMs(polling, '4k', 0)).toBe(3 * s);
  });

  it('a last stage with a bound repeats after it', () => {
    const c = { ...polling, staged: { '720p': [{ untilMs: 10 * s, intervalMs: 1 * s }, { untilMs: 20 * s, intervalMs: 7 * s }] } };
    expect(stagedIntervalMs(c, '720p', 25 * s)).toBe(7 * s);
  });

  it('nextPollDelayMs dispatches by strategy', () => {
    expect(nextPollDelayMs(getPollingConfig(getBatchConfig('pro'), 'staged'), input(45 * s))).toBe(5 * s);
    expect(nextPollDelayMs(getPollingConfig(getBatchConfig('pro'), 'fixed'), input(45 * s))).toBe(3 * s);
    expect(nextPollDelayMs(polling, input(0))).toBe(15 * s);
  });
});

describe('adaptive schedule', () => {
  it('720p prior (90 +- 30 s): early check at 15 s, jump to the window start 30 s, then every 4 s to 150 s, then wider', () => {
    expect(adaptiveDelayMs(polling, input(0))).toBe(15 * s);
    expect(adaptiveDelayMs(polling, input(5 * s))).toBe(10 * s);
    expect(adaptiveDelayMs(polling, input(15 * s))).toBe(15 * s); // to 30 s = 90 - 2 x 30
    expect(adaptiveDelayMs(polling, input(30 * s))).toBe(4 * s);
    expect(adaptiveDelayMs(polling, input(150 * s))).toBe(4 * s);
    expect(adaptiveDelayMs(polling, input(240 * s))).toBe(8 * s); // one mean past the window: x2
    expect(adaptiveDelayMs(polling, input(195 * s))).toBe(6 * s);
    const polls = schedule(polling, '720p', prior720, 40 * s);
    expect(polls).toEqual([15, 30, 34, 38, 42].map((x) => x * s));
  });

  it('1080p prior (300 +- 100 s): 15 s, then 100 s, then every 6 s', () => {
    expect(schedule(polling, '1080p', prior1080, 110 * s)).toEqual([15, 100, 106, 112].map((x) => x * s));
  });

  it('a learned tight estimate: the jump is capped at maxIntervalMs and lands on the window start', () => {
    const exp = { meanMs: 400 * s, sdMs: 20 * s }; // window 360..440 s
    expect(schedule(polling, '1080p', exp, 362 * s)).toEqual([15, 135, 255, 360, 366].map((x) => x * s));
  });

  it('a window starting before the early check starts right after it', () => {
    const exp = { meanMs: 20 * s, sdMs: 10 * s };
    expect(adaptiveDelayMs(polling, input(15 * s, '720p', exp))).toBe(4 * s);
  });

  it('an unknown resolution uses minIntervalMs as its tail', () => {
    expect(adaptiveDelayMs(polling, input(60 * s, '4k'))).toBe(2 * s);
  });

  const expectationArb = fc
    .integer({ min: 20 * s, max: 900 * s })
    .chain((meanMs) => fc.record({ meanMs: fc.constant(meanMs), sdMs: fc.integer({ min: Math.ceil(0.05 * meanMs), max: Math.floor(meanMs / 3) }) }));
  const resArb = fc.constantFrom('720p', '1080p');

  test.prop([resArb, expectationArb, fc.integer({ min: 0, max: 3_600_000 })])('every delay is within [minIntervalMs, maxIntervalMs]', (res, exp, elapsed) => {
    const d = adaptiveDelayMs(polling, input(elapsed, res, exp));
    expect(d).toBeGreaterThanOrEqual(polling.adaptive.minIntervalMs);
    expect(d).toBeLessThanOrEqual(polling.adaptive.maxIntervalMs);
  });

  test.prop([resArb, expectationArb, fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 0, max: 3_600_000 })])(
    'past the window the interval only widens',
    (res, exp, a, b) => {
      const end = exp.meanMs + 2 * exp.sdMs;
      const [x, y] = [end + Math.min(a, b), end + Math.max(a, b)];
      expect(adaptiveDelayMs(polling, input(x, res, exp))).toBeLessThanOrEqual(adaptiveDelayMs(polling, input(y, res, exp)));
    },
  );

  // Expected lengths of real classes (seed: 75 s / 302 s; public reports up to 15 min), the prior's wide spread at worst.
  const realisticArb = fc
    .integer({ min: 60 * s, max: 900 * s })
    .chain((meanMs) => fc.record({ meanMs: fc.constant(meanMs), sdMs: fc.integer({ min: Math.ceil(0.05 * meanMs), max: Math.floor(meanMs / 3) }) }));

  test.prop([resArb, realisticArb])('far fewer polls than a fixed 3 s for a job of the expected length (at least a third fewer)', (res, exp) => {
    const completion = exp.meanMs;
    const adaptive = schedule(polling, res, exp, completion).length;
    const fixed = schedule(getPollingConfig(getBatchConfig('pro'), 'fixed'), res, exp, completion).length;
    expect(fixed).toBe(Math.ceil(completion / (3 * s)));
    expect(adaptive).toBeLessThanOrEqual((2 / 3) * fixed);
  });

  it('for the seed times (720p 75 s, 1080p 302 s at the prior) the saving is well above the seed claim of 42-46%', () => {
    const fixedCfg = getPollingConfig(getBatchConfig('pro'), 'fixed');
    const a720 = schedule(polling, '720p', prior720, 75 * s).length;
    const f720 = schedule(fixedCfg, '720p', prior720, 75 * s).length;
    const a1080 = schedule(polling, '1080p', prior1080, 302 * s).length;
    const f1080 = schedule(fixedCfg, '1080p', prior1080, 302 * s).length;
    expect(f720).toBe(25);
    expect(f1080).toBe(101);
    expect(a720).toBe(14); // 15, 30, 34, ..., 78
    expect(a1080).toBe(36); // 15, 100, 106, ..., 304
    expect(1 - (a720 + a1080) / (f720 + f1080)).toBeGreaterThan(0.46);
  });

  test.prop([resArb, expectationArb, fc.double({ min: 0, max: 1, noNaN: true })])(
    'completion inside the window is detected within one tail interval',
    (res, exp, where) => {
      const start = Math.max(polling.adaptive.earlyCheckMs, exp.meanMs - 2 * exp.sdMs);
      const end = exp.meanMs + 2 * exp.sdMs;
      const completion = start + where * (end - start);
      const polls = schedule(polling, res, exp, completion);
      const delay = polls[polls.length - 1]! - completion;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(polling.adaptive.tailIntervalMs[res]!);
    },
  );

  test.prop([resArb, expectationArb, fc.integer({ min: 1, max: 3 * 3_600_000 })])(
    'whenever the job completes, it is detected within maxIntervalMs and the schedule terminates',
    (res, exp, completion) => {
      const polls = schedule(polling, res, exp, completion);
      expect(polls[polls.length - 1]! - completion).toBeLessThan(polling.adaptive.maxIntervalMs);
      for (let i = 1; i < polls.length; i++) expect(polls[i]!).toBeGreaterThan(polls[i - 1]!);
    },
  );
});

describe('callback backstop', () => {
  it('first poll at max(minFirstMs, factor x expected), then every intervalMs', () => {
    expect(polling.callbackBackstop).toEqual({ minFirstMs: 120 * s, expectedFactor: 2, intervalMs: 60 * s });
    // 720p prior 90 s: 2 x 90 = 180 s > 120 s
    expect(backstopDelayMs(polling, input(0, '720p', prior720, true))).toBe(180 * s);
    expect(backstopDelayMs(polling, input(100 * s, '720p', prior720, true))).toBe(80 * s);
    expect(backstopDelayMs(polling, input(180 * s, '720p', prior720, true))).toBe(60 * s);
    // a fast class: 2 x 30 s = 60 s < 120 s
    expect(backstopDelayMs(polling, input(0, '720p', { meanMs: 30 * s, sdMs: 5 * s }, true))).toBe(120 * s);
    // 1080p prior 300 s -> 600 s
    expect(backstopDelayMs(polling, input(0, '1080p', prior1080, true))).toBe(600 * s);
  });

  it('callbacks override every strategy', () => {
    for (const strategy of ['fixed', 'staged', 'adaptive'] as const) {
      const c = getPollingConfig(getBatchConfig('pro'), strategy);
      expect(nextPollDelayMs(c, input(0, '720p', prior720, true))).toBe(180 * s);
      expect(schedule(c, '720p', prior720, 75 * s, true)).toEqual([180 * s]);
    }
  });

  test.prop([fc.integer({ min: 1, max: 3_600_000 }), fc.integer({ min: 1, max: 3_600_000 })])(
    'the backstop never polls before the first backstop time',
    (meanMs, elapsed) => {
      const exp = { meanMs, sdMs: meanMs / 3 };
      const first = Math.max(120 * s, 2 * meanMs);
      const polls = schedule(polling, '720p', exp, elapsed, true);
      expect(polls[0]).toBe(first);
      for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(60 * s);
    },
  );
});
