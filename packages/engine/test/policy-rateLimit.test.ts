import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../src/policy/rateLimit.ts';

/** Non-decreasing call times built from random gaps. */
const callTimes = fc
  .array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 150 })
  .map((gaps) => {
    let t = 0;
    return gaps.map((g) => (t += g));
  });

describe('SlidingWindowLimiter', () => {
  it('KIE budget: 20 creates in 10 s, the 21st waits until the first leaves the window', () => {
    const lim = new SlidingWindowLimiter(20, 10_000);
    for (let i = 0; i < 20; i++) expect(lim.tryTake(i * 100)).toBe(true);
    expect(lim.tryTake(2000)).toBe(false);
    expect(lim.countInWindow(2000)).toBe(20);
    expect(lim.nextFreeAt(2000)).toBe(10_000);
    expect(lim.tryTake(9999)).toBe(false);
    expect(lim.tryTake(10_000)).toBe(true);
    expect(lim.tryTake(10_000)).toBe(false);
    expect(lim.nextFreeAt(10_000)).toBe(10_100);
  });

  it('a free slot is free now', () => {
    const lim = new SlidingWindowLimiter(2, 1000);
    expect(lim.nextFreeAt(5)).toBe(5);
    lim.tryTake(5);
    expect(lim.nextFreeAt(6)).toBe(6);
    lim.tryTake(6);
    expect(lim.nextFreeAt(7)).toBe(1005);
  });

  it('no burst of 2x the limit across a window boundary', () => {
    const lim = new SlidingWindowLimiter(3, 1000);
    expect([lim.tryTake(900), lim.tryTake(950), lim.tryTake(999)]).toEqual([true, true, true]);
    // a fixed window reset at 1000 would allow three more here
    expect(lim.tryTake(1000)).toBe(false);
    expect(lim.tryTake(1500)).toBe(false);
    expect(lim.tryTake(1900)).toBe(true);
  });

  it('reconfigure to a lower limit blocks until enough calls leave the window', () => {
    const lim = new SlidingWindowLimiter(5, 1000);
    for (const t of [0, 10, 20, 30, 40]) expect(lim.tryTake(t)).toBe(true);
    lim.reconfigure(3, 1000);
    expect(lim.tryTake(50)).toBe(false);
    // 5 in the window, limit 3: free once the 3rd oldest (t = 20) leaves
    expect(lim.nextFreeAt(50)).toBe(1020);
    expect(lim.tryTake(1019)).toBe(false);
    expect(lim.tryTake(1020)).toBe(true);
  });

  it('reconfigure to a higher limit and a shorter window frees slots at once', () => {
    const lim = new SlidingWindowLimiter(1, 1000);
    expect(lim.tryTake(0)).toBe(true);
    expect(lim.tryTake(1)).toBe(false);
    lim.reconfigure(2, 1000);
    expect(lim.tryTake(1)).toBe(true);
    expect(lim.tryTake(2)).toBe(false);
    lim.reconfigure(2, 100);
    expect(lim.nextFreeAt(50)).toBe(100);
    expect(lim.tryTake(100)).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5000 }), callTimes])(
    'in any window of windowMs the successful takes never exceed the limit',
    (limit, windowMs, times) => {
      const lim = new SlidingWindowLimiter(limit, windowMs);
      const taken: number[] = [];
      for (const t of times) {
        if (lim.tryTake(t)) taken.push(t);
        expect(lim.countInWindow(t)).toBeLessThanOrEqual(limit);
      }
      // every window [s, s + windowMs) starting at a taken call holds at most `limit` takes
      for (let i = 0; i < taken.length; i++) {
        const inWindow = taken.filter((t) => t >= taken[i]! && t < taken[i]! + windowMs).length;
        expect(inWindow).toBeLessThanOrEqual(limit);
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5000 }), callTimes])(
    'a refused take is refused because the window is full (work-conserving)',
    (limit, windowMs, times) => {
      const lim = new SlidingWindowLimiter(limit, windowMs);
      const taken: number[] = [];
      for (const t of times) {
        const inWindow = taken.filter((x) => x > t - windowMs).length;
        const ok = lim.tryTake(t);
        expect(ok).toBe(inWindow < limit);
        if (ok) taken.push(t);
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5000 }), callTimes])(
    'nextFreeAt is exactly when a slot frees: refused one ms before, granted at it',
    (limit, windowMs, times) => {
      const lim = new SlidingWindowLimiter(limit, windowMs);
      for (const t of times) lim.tryTake(t);
      const now = times[times.length - 1]!;
      const at = lim.nextFreeAt(now);
      expect(at).toBeGreaterThanOrEqual(now);
      if (at > now) {
        expect(lim.countInWindow(at - 1)).toBe(limit);
        expect(lim.tryTake(at - 1)).toBe(false);
      }
      expect(lim.tryTake(at)).toBe(true);
    },
  );
});

describe('SlidingWindowLimiter across a hot reload', () => {
  it('a longer window still counts the calls made just before it', () => {
    const lim = new SlidingWindowLimiter(2, 1000);
    expect([0, 500, 1600].map((t) => lim.tryTake(t))).toEqual([true, true, true]);
    lim.reconfigure(2, 5000);
    // 500 and 1600 are inside the new 5 s window: a third call must wait until 500 + 5000.
    expect(lim.tryTake(1700)).toBe(false);
    expect(lim.nextFreeAt(1700)).toBe(5500);
  });
});
