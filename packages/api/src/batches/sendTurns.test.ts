import { describe, expect, it } from 'vitest';
import { SendTurns } from './sendTurns.ts';

describe('SendTurns', () => {
  it('runs at most `concurrency` at once, in arrival order, newcomers first', async () => {
    const turns = new SendTurns(1);
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const job = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(name);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    };
    await Promise.all([turns.run(job('a1')), turns.run(job('a2')), turns.run(job('b1'), { first: true }), turns.run(job('a3'))]);
    expect(peak).toBe(1);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('a turn lasts until the loop comes round: a stream asking again in the same burst of microtasks waits for I/O', async () => {
    const turns = new SendTurns(1);
    const order: string[] = [];
    const stream = (async () => {
      for (let page = 1; page <= 3; page++) {
        await turns.run(async () => void order.push(`page ${page}`));
        // What the consumer does with the page (serialize, write) happens here, still within the turn.
      }
    })();
    // I/O that became ready meanwhile (a new connection, me.get): it runs between the pages, not after all of them.
    setImmediate(() => order.push('io'));
    await stream;
    expect(order.indexOf('io')).toBeGreaterThan(0);
    expect(order.indexOf('io')).toBeLessThan(order.indexOf('page 3'));
  });
});
