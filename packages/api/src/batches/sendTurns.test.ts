import { describe, expect, it } from 'vitest';
import { SendTurns } from './sendTurns.ts';

/** Counts the loop's rounds: queued before any turn, it runs first in each check phase. */
function roundCounter() {
  const counter = { round: 0, stop: () => void (ticking = false) };
  let ticking = true;
  const tick = () => setImmediate(() => (counter.round++, ticking && tick()));
  tick();
  return counter;
}

describe('SendTurns', () => {
  it('grants about `perRound` events per round of the event loop, in arrival order, newcomers first', async () => {
    const turns = new SendTurns(10);
    const rounds = roundCounter();
    const order: string[] = [];
    const job = (name: string) => async () => void order.push(`${rounds.round}:${name}`);
    await Promise.all([
      turns.run(job('a1'), { cost: 6 }),
      turns.run(job('a2'), { cost: 6 }),
      turns.run(job('b1'), { first: true, cost: 3 }),
      turns.run(job('a3'), { cost: 3 }),
      turns.run(job('a4'), { cost: 12 }),
    ]);
    rounds.stop();
    // 6 | 3+6 | 3 (12 does not fit beside it) | 12 (a turn bigger than a round goes alone)
    expect(order).toEqual(['0:a1', '1:b1', '1:a2', '2:a3', '3:a4']);
  });

  it('what a turn did not use goes to the streams waiting, in the same round (a short replay page)', async () => {
    const turns = new SendTurns(10);
    const rounds = roundCounter();
    const order: string[] = [];
    await Promise.all([
      turns.run(async () => (order.push(`${rounds.round}:short page`), 2), { cost: 10, used: (n) => n }),
      turns.run(async () => void order.push(`${rounds.round}:live chunk`), { cost: 6 }),
      turns.run(async () => void order.push(`${rounds.round}:next chunk`), { cost: 6 }),
    ]);
    rounds.stop();
    expect(order).toEqual(['0:short page', '0:live chunk', '1:next chunk']);
  });

  it('what a turn took beyond its cost is charged to its round (a page asked for as shared that was read after all)', async () => {
    const turns = new SendTurns(10);
    const rounds = roundCounter();
    const order: string[] = [];
    await turns.run(async () => (order.push(`${rounds.round}:page read`), 9), { cost: 2, used: (n) => n });
    await turns.run(async () => void order.push(`${rounds.round}:live chunk`), { cost: 3 });
    rounds.stop();
    expect(order).toEqual(['0:page read', '1:live chunk']);
  });

  it('a round lasts until the loop comes round: a stream asking again in the same burst of microtasks waits for I/O', async () => {
    const turns = new SendTurns(10);
    const order: string[] = [];
    const stream = (async () => {
      for (let page = 1; page <= 3; page++) {
        await turns.run(async () => void order.push(`page ${page}`), { cost: 10 });
        // What the consumer does with the page (serialize, write) happens here, still within the round.
      }
    })();
    // I/O that became ready meanwhile (a new connection, me.get): it runs between the pages, not after all of them.
    setImmediate(() => order.push('io'));
    await stream;
    expect(order.indexOf('io')).toBeGreaterThan(0);
    expect(order.indexOf('io')).toBeLessThan(order.indexOf('page 3'));
  });
});
