import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getBatchConfig } from '../src/config/plans.ts';
import { GenerationTimeEstimator } from '../src/policy/estimator.ts';

const s = 1000;
const adaptive = getBatchConfig('pro').polling.adaptive;
const key720 = GenerationTimeEstimator.classKey('sora-2-pro', '720p', 15);
const key1080 = GenerationTimeEstimator.classKey('sora-2-pro', '1080p', 15);
const make = () => new GenerationTimeEstimator(adaptive.priorExpectedMs, adaptive.minSamples);

describe('GenerationTimeEstimator', () => {
  it('classKey', () => {
    expect(GenerationTimeEstimator.classKey('sora-2', '720p', 10)).toBe('sora-2|720p|10');
  });

  it('a class with too few samples borrows the model at its resolution, then the resolution, before the prior', () => {
    const est = make();
    const wan = (d: number) => GenerationTimeEstimator.classKey('wan-2.7', '1080p', d);
    for (const [d, ms] of [[2, 90], [8, 150], [15, 210]] as const) est.record(wan(d), ms * s);
    // wan 1080p 5 s has no sample of its own: the pool of Wan 1080p answers, its spread at least a quarter of the mean
    const pooled = est.expected(wan(5), '1080p');
    expect(pooled.meanMs).toBeCloseTo(150 * s, 6);
    expect(pooled.sdMs).toBeGreaterThanOrEqual(0.25 * pooled.meanMs);
    // another model at 1080p: the resolution's pool (all models), wider still; not the 300 s prior
    const other = est.expected(GenerationTimeEstimator.classKey('veo-3.1', '1080p', 8), '1080p');
    expect(other.meanMs).toBeCloseTo(150 * s, 6);
    expect(other.sdMs).toBeGreaterThanOrEqual(0.35 * other.meanMs);
    // nothing learned at 4k yet: the prior
    expect(est.expected(GenerationTimeEstimator.classKey('veo-3.1', '4k', 8), '4k')).toEqual({ meanMs: 300 * s, sdMs: 100 * s });
  });

  it('answers with the prior (sd = prior / 3) until minSamples samples', () => {
    expect(adaptive.minSamples).toBe(3);
    const est = make();
    expect(est.expected(key720, '720p')).toEqual({ meanMs: 90 * s, sdMs: 30 * s });
    expect(est.expected(key1080, '1080p')).toEqual({ meanMs: 300 * s, sdMs: 100 * s });
    est.record(key720, 60 * s);
    est.record(key720, 70 * s);
    expect(est.expected(key720, '720p')).toEqual({ meanMs: 90 * s, sdMs: 30 * s });
    est.record(key720, 80 * s);
    const e = est.expected(key720, '720p');
    expect(e.meanMs).toBeCloseTo(70 * s, 6);
    // population sd of 60/70/80 s
    expect(e.sdMs).toBeCloseTo(Math.sqrt(200 / 3) * s, 3);
  });

  it('classes are learned separately', () => {
    const est = make();
    for (let i = 0; i < 5; i++) est.record(key720, 50 * s);
    expect(est.expected(key720, '720p').meanMs).toBe(50 * s);
    expect(est.expected(key1080, '1080p')).toEqual({ meanMs: 300 * s, sdMs: 100 * s });
    // another model at 720p has no samples of its own: it borrows 720p's pool, with a wide window
    const borrowed = est.expected(GenerationTimeEstimator.classKey('sora-2', '720p', 15), '720p');
    expect(borrowed.meanMs).toBe(50 * s);
    expect(borrowed.sdMs).toBeCloseTo(0.35 * 50 * s, 6);
  });

  it('an unknown resolution falls back to the largest prior', () => {
    expect(make().expected('x|4k|15', '4k')).toEqual({ meanMs: 300 * s, sdMs: 100 * s });
  });

  it('identical samples: the spread has a floor of 5% of the mean', () => {
    const est = make();
    for (let i = 0; i < 10; i++) est.record(key720, 80 * s);
    expect(est.expected(key720, '720p')).toEqual({ meanMs: 80 * s, sdMs: 4 * s });
  });

  it('plain running mean for the first samples (weight 1/(n+1) until it drops under alpha)', () => {
    const est = new GenerationTimeEstimator({ '720p': 1 }, 1);
    const xs = [10, 20, 30, 40];
    xs.forEach((x) => est.record('k', x));
    expect(est.expected('k', '720p').meanMs).toBeCloseTo(25, 9);
    // 5th sample: weight max(0.2, 1/5) = 0.2, still the running mean
    est.record('k', 50);
    expect(est.expected('k', '720p').meanMs).toBeCloseTo(30, 9);
    // 6th: weight 0.2 (EWMA): 30 + 0.2 x (130 - 30) = 50, where the plain mean would be 41.67
    est.record('k', 130);
    expect(est.expected('k', '720p').meanMs).toBeCloseTo(50, 9);
  });

  it('follows drift: when the provider slows from 75 s to 150 s the estimate moves to 150 s', () => {
    const est = make();
    for (let i = 0; i < 50; i++) est.record(key720, 75 * s);
    expect(est.expected(key720, '720p').meanMs).toBeCloseTo(75 * s, 6);
    for (let i = 0; i < 5; i++) est.record(key720, 150 * s);
    const mid = est.expected(key720, '720p').meanMs;
    expect(mid).toBeGreaterThan(75 * s);
    expect(mid).toBeCloseTo(150 * s - 75 * s * 0.8 ** 5, 3);
    for (let i = 0; i < 45; i++) est.record(key720, 150 * s);
    expect(est.expected(key720, '720p').meanMs).toBeGreaterThan(149.9 * s);
  });

  it('reconfigure changes the prior and minSamples', () => {
    const est = make();
    est.record(key720, 40 * s);
    expect(est.expected(key720, '720p').meanMs).toBe(90 * s);
    est.reconfigure({ '720p': 60 * s, '1080p': 200 * s }, 1);
    expect(est.expected(key720, '720p').meanMs).toBe(40 * s);
    expect(est.expected(key1080, '1080p')).toEqual({ meanMs: 200 * s, sdMs: (200 * s) / 3 });
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 3_600_000 }), { minLength: 1, maxLength: 100 })])(
    'the mean stays within the samples range and the spread is positive',
    (xs) => {
      const est = new GenerationTimeEstimator({ '720p': 90 * s }, 1);
      xs.forEach((x) => est.record('k', x));
      const e = est.expected('k', '720p');
      expect(e.meanMs).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-6);
      expect(e.meanMs).toBeLessThanOrEqual(Math.max(...xs) + 1e-6);
      expect(e.sdMs).toBeGreaterThanOrEqual(0.05 * e.meanMs - 1e-9);
      expect(Number.isFinite(e.sdMs)).toBe(true);
    },
  );

  test.prop([
    fc.array(fc.integer({ min: 1000, max: 1_000_000 }), { minLength: 4, maxLength: 40 }),
    fc.integer({ min: 1000, max: 1_000_000 }),
    fc.integer({ min: 1, max: 60 }),
  ])('after k samples of a new level X the error shrinks by 0.8^k (EWMA, alpha 0.2)', (history, x, k) => {
    const est = new GenerationTimeEstimator({ '720p': 90 * s }, 1);
    history.forEach((h) => est.record('k', h));
    const m0 = est.expected('k', '720p').meanMs;
    for (let i = 0; i < k; i++) est.record('k', x);
    const m = est.expected('k', '720p').meanMs;
    expect(Math.abs(m - x)).toBeCloseTo(Math.abs(m0 - x) * 0.8 ** k, 3);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 12 })])(
    'the prior answers until exactly minSamples samples',
    (minSamples, xs) => {
      // a prior no sample can produce (samples are >= 1 ms), so the answer tells which one spoke
      const est = new GenerationTimeEstimator({ '720p': 0.5 }, minSamples);
      xs.forEach((x) => est.record('k', x));
      const e = est.expected('k', '720p');
      if (xs.length < minSamples) expect(e).toEqual({ meanMs: 0.5, sdMs: 0.5 / 3 });
      else expect(e.meanMs).toBeGreaterThanOrEqual(1);
    },
  );
});
