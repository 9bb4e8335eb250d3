import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getBatchConfig } from '../src/config/plans.ts';
import type { PollingConfig } from '../src/config/schema.ts';
import {
  adaptiveDelayMs,
  backstopDelayMs,
  nextPollDelayMs,
  stagedIntervalMs,
  type Expectation,
  type PollInput,
} from '../src/policy/polling.ts';
import { density, erfc, fitLogNormal, nextPollOnClock, pollingClock, survival } from '../src/policy/completionModel.ts';

const polling: PollingConfig = getBatchConfig('pro').polling;
const withStrategy = (strategy: PollingConfig['strategy']): PollingConfig => ({ ...polling, strategy });
const s = 1000;
const prior720: Expectation = { meanMs: 90 * s, sdMs: 30 * s };
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

it('a schedule depends only on its inputs, never on which estimate the clock memo saw first', () => {
  const a = polling.adaptive;
  const centre: Expectation = { meanMs: 77_700, sdMs: 12_300 };
  const nearby: Expectation = { meanMs: 77_740, sdMs: 12_260 }; // the same 100 ms memo bucket
  const elapsed = [40 * s, 70 * s, 90 * s, 150 * s];
  for (const e of elapsed) adaptiveDelayMs(polling, input(e, '720p', nearby));
  const clock = pollingClock(centre, a.targetDelayMs['720p']!);
  for (const e of elapsed) {
    const alone = Math.min(a.maxIntervalMs, Math.max(a.minIntervalMs, nextPollOnClock(clock, e)));
    expect(adaptiveDelayMs(polling, input(e, '720p', centre))).toBe(alone);
  }
});

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
    expect(nextPollDelayMs(withStrategy('staged'), input(45 * s))).toBe(5 * s);
    expect(nextPollDelayMs(withStrategy('fixed'), input(45 * s))).toBe(3 * s);
    expect(nextPollDelayMs(polling, input(0))).toBe(10 * s);
  });
});

describe('adaptive schedule', () => {
  it('checks early (fast refusals) at 10 s and 25 s, whatever the class', () => {
    expect(polling.adaptive.earlyChecksMs).toEqual([10 * s, 25 * s]);
    expect(adaptiveDelayMs(polling, input(0))).toBe(10 * s);
    expect(adaptiveDelayMs(polling, input(5 * s))).toBe(5 * s);
    expect(adaptiveDelayMs(polling, input(10 * s))).toBe(15 * s);
    const slow = { meanMs: 600 * s, sdMs: 60 * s };
    expect(schedule(polling, '1080p', slow, 30 * s).slice(0, 2)).toEqual([10 * s, 25 * s]);
  });

  it('polls sparsely while a finish is unlikely and densely where it is likely', () => {
    const exp = { meanMs: 300 * s, sdMs: 30 * s };
    const early = adaptiveDelayMs(polling, input(60 * s, '1080p', exp));
    const atMean = adaptiveDelayMs(polling, input(300 * s, '1080p', exp));
    expect(early).toBe(polling.adaptive.maxIntervalMs);
    expect(atMean).toBeLessThan(15 * s);
    // It never jumps over the window: from far before it, the next poll lands before most jobs finish.
    const polls = schedule(polling, '1080p', exp, 10 * 3_600_000).filter((t) => t < 400 * s);
    expect(polls.find((t) => t > 180 * s)! - 180 * s).toBeLessThanOrEqual(polling.adaptive.maxIntervalMs);
    expect(polls.filter((t) => t >= 240 * s && t <= 300 * s).length).toBeGreaterThanOrEqual(4);
  });

  it('an unknown resolution uses the smallest target delay', () => {
    const exp = { meanMs: 100 * s, sdMs: 10 * s };
    expect(adaptiveDelayMs(polling, input(100 * s, '4k', exp))).toBe(adaptiveDelayMs(polling, input(100 * s, '720p', exp)));
  });

  const expectationArb = fc
    .integer({ min: 20 * s, max: 900 * s })
    .chain((meanMs) => fc.record({ meanMs: fc.constant(meanMs), sdMs: fc.integer({ min: Math.ceil(0.03 * meanMs), max: Math.floor(meanMs / 3) }) }));
  const resArb = fc.constantFrom('720p', '1080p');

  test.prop([resArb, expectationArb, fc.integer({ min: 0, max: 3_600_000 })])('every delay is within [minIntervalMs, maxIntervalMs]', (res, exp, elapsed) => {
    const d = adaptiveDelayMs(polling, input(elapsed, res, exp));
    expect(d).toBeGreaterThanOrEqual(polling.adaptive.minIntervalMs);
    expect(d).toBeLessThanOrEqual(polling.adaptive.maxIntervalMs);
  });

  /**
   * The schedule's expected polls and detection delay per job, exactly, for jobs whose completion times follow
   * the class's own log-normal (what the estimator has learned): summed over the schedule's poll intervals
   * (a job done in (p[i-1], p[i]] is seen at p[i], after i polls) with the log-normal's CDF and partial mean, up
   * to 8 sigma (the mass left beyond is below 1e-15). No sample of completion times: a sample's mean delay is
   * noisy (its standard error over 300 jobs is ~3 % of the target), so a bound on it either fails now and then
   * or has to allow slack the schedule does not need.
   */
  function expectedCost(config: PollingConfig, res: string, exp: Expectation) {
    const model = fitLogNormal(exp);
    const mean = Math.exp(model.mu + model.sigma ** 2 / 2);
    const cdf = (t: number) => 1 - survival(model, t);
    /** E[c; c <= t]: the log-normal's partial mean. */
    const partialMean = (t: number) => (t <= 0 ? 0 : mean * (1 - 0.5 * erfc((Math.log(t) - model.mu - model.sigma ** 2) / (model.sigma * Math.SQRT2))));
    const end = Math.exp(model.mu + 8 * model.sigma);
    let polls = 0;
    let delay = 0;
    let i = 0;
    for (let t = 0; t < end; ) {
      const p = t + nextPollDelayMs(config, { elapsedMs: t, resolution: res, expected: exp, callbacks: false });
      const mass = cdf(p) - cdf(t);
      i++;
      polls += i * mass;
      delay += p * mass - (partialMean(p) - partialMean(t));
      t = p;
    }
    return { polls, delay };
  }

  /** Fixed first-stage polling makes ceil(c / interval) polls for a job done at c: sum over k >= 0 of S(k interval). */
  function expectedFixedPolls(exp: Expectation, intervalMs: number): number {
    const model = fitLogNormal(exp);
    let polls = 0;
    for (let t = 0, left = 1; left > 1e-12; t += intervalMs) polls += left = survival(model, t);
    return polls;
  }

  test.prop([resArb, expectationArb.filter((e) => e.meanMs >= 60 * s)], { numRuns: 200 })(
    'meets the target mean delay with far fewer polls than fixed first-stage polling (classes of 60 s and more)',
    (res, exp) => {
      const adaptive = expectedCost(polling, res, exp);
      // The expectation is exact; what is left is the schedule's own approximation (a continuous optimum placed
      // on a 400-point grid, clamped to the min and max intervals): 2 % (worst seen over 6,000 classes: -1.3 %).
      expect(adaptive.delay).toBeLessThanOrEqual(polling.adaptive.targetDelayMs[res]! * 1.02);
      expect(adaptive.polls).toBeLessThanOrEqual(0.5 * expectedFixedPolls(exp, res === '720p' ? 3 * s : 5 * s));
    },
  );

  it('for the seed times (720p ~72 s, 1080p ~297 s, spread 3 %) it saves far more than the seed claim of 42-46 %', () => {
    const fixedCfg = withStrategy('fixed');
    const e720 = { meanMs: 72 * s, sdMs: 2.2 * s };
    const e1080 = { meanMs: 297 * s, sdMs: 9 * s };
    const a = expectedCost(polling, '720p', e720).polls + expectedCost(polling, '1080p', e1080).polls;
    const f = expectedCost(fixedCfg, '720p', e720).polls + expectedCost(fixedCfg, '1080p', e1080).polls;
    expect(1 - a / f).toBeGreaterThan(0.8);
  });

  test.prop([resArb, expectationArb, fc.integer({ min: 1, max: 3 * 3_600_000 })])(
    'whenever the job completes, it is detected within maxIntervalMs and the schedule terminates',
    (res, exp, completion) => {
      const polls = schedule(polling, res, exp, completion);
      expect(polls[polls.length - 1]! - completion).toBeLessThan(polling.adaptive.maxIntervalMs);
      for (let i = 1; i < polls.length; i++) expect(polls[i]!).toBeGreaterThan(polls[i - 1]!);
    },
  );
});

describe('completion model', () => {
  it('erfc matches known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
    expect(erfc(3) / 2.20904970e-5).toBeCloseTo(1, 5);
  });

  test.prop([fc.integer({ min: 10 * s, max: 900 * s }), fc.double({ min: 0.01, max: 0.5, noNaN: true })])(
    'the fitted log-normal has the given mean, and S = 1/2 at its median',
    (meanMs, cv) => {
      const model = fitLogNormal({ meanMs, sdMs: cv * meanMs });
      expect(Math.exp(model.mu + model.sigma ** 2 / 2) / meanMs).toBeCloseTo(1, 9);
      expect(survival(model, Math.exp(model.mu))).toBeCloseTo(0.5, 6);
      // The density integrates to 1 - S(end).
      const end = Math.exp(model.mu + 6 * model.sigma);
      let integral = 0;
      const n = 4000;
      for (let i = 1; i <= n; i++) integral += density(model, ((i - 0.5) * end) / n) * (end / n);
      expect(integral).toBeCloseTo(1 - survival(model, end), 3);
    },
  );
});

describe('callback backstop', () => {
  it('shipped config: target delay max(10 s, 5 x spread), intervals up to 10 min', () => {
    expect(polling.callbackBackstop).toEqual({ sdFactor: 5, minTargetDelayMs: 10 * s, maxIntervalMs: 600 * s, maxLossRate: 0.05 });
  });

  it('callbacks override every strategy', () => {
    for (const strategy of ['fixed', 'staged', 'adaptive'] as const) {
      const c = withStrategy(strategy);
      for (const t of [0, 60 * s, 300 * s]) expect(nextPollDelayMs(c, input(t, '720p', prior720, true))).toBe(Math.ceil(backstopDelayMs(c, input(t, '720p', prior720, true))));
    }
  });

  const classArb = fc
    .integer({ min: 30 * s, max: 900 * s })
    .chain((meanMs) => fc.record({ meanMs: fc.constant(meanMs), sdMs: fc.integer({ min: Math.ceil(0.03 * meanMs), max: Math.floor(meanMs / 3) }) }));

  // Classes the 10 min interval cap does not cut into (a longer job is polled at least every 10 min by design).
  const uncappedArb = classArb.filter((e) => e.meanMs + 2 * e.sdMs <= polling.callbackBackstop.maxIntervalMs);

  test.prop([uncappedArb, fc.integer({ min: 1 }), fc.constantFrom('720p', '1080p')], { numRuns: 30 })(
    'about 0.2 polls per task before the callback, and a lost callback is noticed within the target delay on average',
    (exp, seed, res) => {
      const model = fitLogNormal(exp);
      let state = seed >>> 0 || 1;
      const uniform = () => ((state = (Math.imul(state, 48271) >>> 0) % 2147483647) || 1) / 2147483647;
      const completions = Array.from({ length: 300 }, () => Math.exp(model.mu + model.sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())));
      let pollsBefore = 0;
      let lostDelay = 0;
      for (const c of completions) {
        const polls = schedule(polling, res, exp, c, true);
        pollsBefore += polls.length - 1; // the last poll is the first at or after completion
        lostDelay += polls[polls.length - 1]! - c;
      }
      const target = Math.max(10 * s, 5 * exp.sdMs);
      expect(pollsBefore / completions.length).toBeLessThanOrEqual(0.3);
      // The delay target comes from a continuous approximation: it is coarse when the target is as long
      // as the job itself (wide classes), hence 25 % slack (observed worst: +15 %).
      expect(lostDelay / completions.length).toBeLessThanOrEqual(target * 1.25);
    },
  );
});
