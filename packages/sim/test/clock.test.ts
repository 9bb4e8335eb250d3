import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DiscreteEventClock } from '../src/clock.ts';

describe('DiscreteEventClock', () => {
  it('fires timers in due order and breaks ties by creation order', async () => {
    const clock = new DiscreteEventClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@10'), 10);
    clock.setTimeout(() => fired.push('a@5'), 5);
    clock.setTimeout(() => fired.push('c@10'), 10);
    clock.setTimeout(() => fired.push('d@0'), 0);
    const result = await clock.runUntil(() => false);
    expect(fired).toEqual(['d@0', 'a@5', 'b@10', 'c@10']);
    expect(result.reason).toBe('idle');
    expect(clock.now()).toBe(10);
  });

  it('skips cleared timers', async () => {
    const clock = new DiscreteEventClock();
    const fired: number[] = [];
    const id = clock.setTimeout(() => fired.push(1), 10);
    clock.setTimeout(() => fired.push(2), 20);
    clock.clearTimeout(id);
    clock.clearTimeout('not a timer');
    await clock.runUntil(() => false);
    expect(fired).toEqual([2]);
    expect(clock.pending()).toBe(0);
  });

  it('lets promise chains settle before time moves on', async () => {
    const clock = new DiscreteEventClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          log.push(`settled at ${clock.now()}`);
          clock.setTimeout(() => log.push(`follow-up at ${clock.now()}`), 100);
        });
    }, 50);
    clock.setTimeout(() => log.push(`other at ${clock.now()}`), 60);
    await clock.runUntil(() => false);
    expect(log).toEqual(['settled at 50', 'other at 60', 'follow-up at 150']);
  });

  it('settling on microtasks only gives the same run, and still turns the event loop now and then', async () => {
    const run = async (settleWith: 'event-loop' | 'microtasks') => {
      const clock = new DiscreteEventClock();
      const log: string[] = [];
      let loopTurns = 0;
      const countTurns = () => {
        loopTurns++;
        if (clock.pending() > 0) setImmediate(countTurns);
      };
      for (let i = 0; i < 200; i++) {
        clock.setTimeout(() => {
          void Promise.resolve()
            .then(() => Promise.resolve(i))
            .then((n) => {
              log.push(`${n} settled at ${clock.now()}`);
              if (n % 3 === 0) clock.setTimeout(() => log.push(`${n} follow-up at ${clock.now()}`), 5);
            });
        }, 10 * i);
      }
      setImmediate(countTurns);
      await clock.runUntil(() => false, { settleWith });
      return { log, loopTurns };
    };
    const loop = await run('event-loop');
    const micro = await run('microtasks');
    expect(micro.log).toEqual(loop.log);
    expect(micro.log).toHaveLength(200 + 67);
    expect(micro.loopTurns).toBeGreaterThan(1);
    expect(micro.loopTurns).toBeLessThan(loop.loopTurns / 10);
  });

  it('stops at a target time without firing later timers', async () => {
    const clock = new DiscreteEventClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(1), 100);
    clock.setTimeout(() => fired.push(2), 300);
    const r = await clock.runUntil(200);
    expect(r.reason).toBe('time');
    expect(clock.now()).toBe(200);
    expect(fired).toEqual([1]);
    await clock.runUntil(1_000);
    expect(fired).toEqual([1, 2]);
    expect(clock.now()).toBe(1_000);
  });

  it('stops when the predicate holds and honours maxSteps', async () => {
    const clock = new DiscreteEventClock();
    let ticks = 0;
    const tick = () => {
      ticks++;
      clock.setTimeout(tick, 1_000);
    };
    clock.setTimeout(tick, 1_000);
    const done = await clock.runUntil(() => ticks >= 5);
    expect(done).toMatchObject({ reason: 'done', now: 5_000 });
    const guarded = await clock.runUntil(() => false, { maxSteps: 3 });
    expect(guarded.reason).toBe('maxSteps');
    expect(ticks).toBe(8);
  });

  test.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.boolean()), { maxLength: 60 })])(
    'fires every uncancelled timer exactly once, sorted by (due, id)',
    async (specs) => {
      const clock = new DiscreteEventClock();
      const fired: Array<[number, number]> = [];
      const expected: Array<[number, number]> = [];
      specs.forEach(([delay, cancel], i) => {
        const id = clock.setTimeout(() => fired.push([clock.now(), i]), delay);
        if (cancel) clock.clearTimeout(id);
        else expected.push([delay, i]);
      });
      await clock.runUntil(() => false);
      expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(fired).toEqual(expected);
    },
  );
});
