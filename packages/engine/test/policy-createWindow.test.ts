import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LocalLimits } from '../src/batch/localLimits.ts';
import { CreateWindow } from '../src/policy/createWindow.ts';

/** Non-decreasing call times built from random gaps. */
const callTimes = fc
  .array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 150 })
  .map((gaps) => {
    let t = 0;
    return gaps.map((g) => (t += g));
  });

/** A create answered at once (the in-process simulator): booked and answered at the same time. */
function take(window: CreateWindow, at: number, taskId = `t${at}`): boolean {
  if (!window.tryBook(taskId, at)) return false;
  window.settle(taskId, at, true);
  return true;
}

describe('CreateWindow, creates answered at once', () => {
  it('KIE budget: 20 creates in 10 s, the 21st waits until the first leaves the window', () => {
    const w = new CreateWindow(20, 10_000);
    for (let i = 0; i < 20; i++) expect(take(w, i * 100)).toBe(true);
    expect(take(w, 2000)).toBe(false);
    expect(w.count(2000)).toBe(20);
    expect(w.nextFreeAt(2000)).toBe(10_000);
    expect(take(w, 9999)).toBe(false);
    expect(take(w, 10_000)).toBe(true);
    expect(take(w, 10_000, 'again')).toBe(false);
    expect(w.nextFreeAt(10_000)).toBe(10_100);
  });

  it('no burst of 2x the limit across a window boundary', () => {
    const w = new CreateWindow(3, 1000);
    expect([take(w, 900), take(w, 950), take(w, 999)]).toEqual([true, true, true]);
    // a fixed window reset at 1000 would allow three more here
    expect(take(w, 1000)).toBe(false);
    expect(take(w, 1500)).toBe(false);
    expect(take(w, 1900)).toBe(true);
  });

  it('reconfigure to a lower limit blocks until enough creates leave the window; a longer one still counts the old', () => {
    const w = new CreateWindow(5, 1000);
    for (const t of [0, 10, 20, 30, 40]) expect(take(w, t)).toBe(true);
    w.reconfigure(3, 1000);
    // 5 in the window, limit 3: free once the 3rd oldest (t = 20) leaves
    expect(w.nextFreeAt(50)).toBe(1020);
    expect(take(w, 1019)).toBe(false);
    expect(take(w, 1020)).toBe(true);
    w.reconfigure(3, 5000);
    expect(w.nextFreeAt(1100)).toBe(5030);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5000 }), callTimes])(
    'a refused create is refused because the window is full (work-conserving), and nextFreeAt is exact',
    (limit, windowMs, times) => {
      const w = new CreateWindow(limit, windowMs);
      const taken: number[] = [];
      times.forEach((t, i) => {
        const inWindow = taken.filter((x) => x > t - windowMs).length;
        const ok = take(w, t, `t${i}`);
        expect(ok).toBe(inWindow < limit);
        if (ok) taken.push(t);
      });
      const now = times[times.length - 1]!;
      const at = w.nextFreeAt(now);
      if (at > now) expect(take(w, at - 1, 'before')).toBe(false);
      expect(take(w, at, 'at')).toBe(true);
    },
  );
});

describe('CreateWindow, creates that take their time', () => {
  it('an unanswered create counts however long its call takes; its answer counts a window from then', () => {
    const w = new CreateWindow(2, 1000);
    expect(w.tryBook('a', 0)).toBe(true);
    expect(w.tryBook('b', 0)).toBe(true);
    // Long after the permits the calls are still out: nothing frees, and no answer now frees before a window.
    expect(w.tryBook('c', 5000)).toBe(false);
    expect(w.nextFreeAt(5000)).toBe(6000);
    w.settle('a', 5200, true);
    expect(w.nextFreeAt(5300)).toBe(6200);
    // One that never reached KIE gives its place back at once; so does a permit given back unused.
    w.settle('b', 5300, false);
    expect(w.tryBook('c', 5300)).toBe(true);
    w.withdraw('c');
    expect(w.free(5300)).toBe(1);
  });

  /**
   * One create's life: booked (a permit), then sent, then KIE receives it at some moment up to its answer, or the
   * call fails before it left, or is given back unused; the clock jumps in between. The steps of all creates
   * interleave in any order.
   */
  type Step = { kind: 'ask' } | { kind: 'send' | 'arrive' | 'answer' | 'lost' | 'unsent' | 'giveBack'; pick: number } | { kind: 'jump'; ms: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constant({ kind: 'ask' as const }),
    fc.record({ kind: fc.constantFrom('send' as const, 'arrive' as const, 'answer' as const, 'lost' as const, 'unsent' as const, 'giveBack' as const), pick: fc.nat(50) }),
    fc.record({ kind: fc.constant('jump' as const), ms: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3000 })) }),
  );

  test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2000 }), fc.array(step, { maxLength: 300, size: 'max' })])(
    'under any interleaving of permits, sends, arrivals, answers and clock jumps, no window of arrivals at KIE holds more than the limit',
    (limit, windowMs, steps) => {
      const limits = new LocalLimits();
      limits.configure({ accounts: [{ id: 'a', createLimit: limit, windowMs, maxRunning: null }] });
      type Create = { taskId: string; state: 'booked' | 'sent' | 'arrived' };
      const open: Create[] = [];
      const arrivals: number[] = [];
      let now = 0;
      let n = 0;
      let granted = 0;
      const settle = (c: Create, reached: boolean) => {
        open.splice(open.indexOf(c), 1);
        limits.created({ accountId: 'a', taskId: c.taskId, attempt: 1, at: now, reached });
        limits.release(c.taskId);
      };
      for (const s of steps) {
        if (s.kind === 'jump') {
          now += s.ms;
          continue;
        }
        if (s.kind === 'ask') {
          const taskId = `t${n++}`;
          const answer = limits.acquire({ accountId: 'a', taskId, userId: 'u', attempt: 1, now, activeUsers: 1 });
          if (answer.granted) {
            granted++;
            open.push({ taskId, state: 'booked' });
          } else expect(answer.retryAt).toBeGreaterThan(now);
          continue;
        }
        const wanted = { send: ['booked'], giveBack: ['booked'], unsent: ['sent'], arrive: ['sent'], answer: ['arrived'], lost: ['sent', 'arrived'] }[s.kind];
        const candidates = open.filter((c) => wanted.includes(c.state));
        const c = candidates[s.pick % Math.max(1, candidates.length)];
        if (!c) continue;
        switch (s.kind) {
          case 'send':
            c.state = 'sent';
            break;
          case 'arrive':
            c.state = 'arrived';
            arrivals.push(now);
            break;
          case 'answer':
            settle(c, true);
            break;
          case 'lost':
            // A timeout or reset: KIE may or may not have it; it keeps its place.
            settle(c, true);
            break;
          case 'unsent':
            // It failed before leaving (the attempt could not be recorded).
            settle(c, false);
            break;
          case 'giveBack':
            open.splice(open.indexOf(c), 1);
            limits.release(c.taskId);
        }
      }
      for (const t of arrivals) expect(arrivals.filter((u) => u > t - windowMs && u <= t).length).toBeLessThanOrEqual(limit);
      // Not refusing everything: with nothing out, a create is free again a window after the last answer.
      if (open.length === 0) expect(limits.room('a', now + windowMs).creates).toBe(limit);
      expect(granted).toBeGreaterThanOrEqual(Math.min(1, steps.filter((s) => s.kind === 'ask').length));
    },
  );
});
