import type { EngineEvent } from '@clipfleet/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import type { AppDeps } from '../deps.ts';
import { EventBus } from '../fleet/bus.ts';
import { appendEvents } from '../store/events.ts';
import { busFeed } from './feed.ts';
import { batchEventChunks } from './progress.ts';
import { SEND_ROUND_EVENTS } from './sendTurns.ts';

const BATCH = 'b-live';
const event = (seq: number): EngineEvent => ({ type: 'batch.paused', batchId: BATCH, userId: 'u', seq, at: seq });

describe('live progress to many streams', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
  });

  it('one committed write waking every stream does not send all their chunks before the event loop comes round', async () => {
    db = await openDatabase(':memory:');
    const bus = new EventBus();
    const deps = { db, feed: busFeed(bus) } as unknown as AppDeps;
    const STREAMS = 40;
    const BURST = 64;
    // One signal per stream, as each connection has its own (40 listeners on one signal would trip Node's leak warning).
    const aborts = Array.from({ length: STREAMS }, () => new AbortController());
    const received = Array.from({ length: STREAMS }, () => 0);
    let sent = 0;
    const streams = received.map(async (_, i) => {
      for await (const chunk of batchEventChunks(deps, BATCH, 0, aborts[i]!.signal)) {
        received[i]! += chunk.length;
        sent += chunk.length;
        if (received[i] === 1 + BURST) return;
      }
    });
    // Every stream is live once it has the first event.
    bus.publish(event(1));
    for (let tries = 0; received.some((n) => n < 1); tries++) {
      if (tries > 2_000) throw new Error('streams did not go live');
      await new Promise((r) => setTimeout(r, 5));
    }
    const before = sent;
    for (let seq = 2; seq <= 1 + BURST; seq++) bus.publish(event(seq));
    // I/O that is ready now (a request, a new connection) runs in the loop's next round: count what was sent before.
    const sentBeforeIo = await new Promise<number>((resolve) => setImmediate(() => resolve(sent - before)));
    await Promise.all(streams);
    for (const abort of aborts) abort.abort();
    expect(received.every((n) => n === 1 + BURST)).toBe(true);
    // Without shared send turns, every stream sent a chunk (40 x 32 events) before the loop came round.
    expect(sentBeforeIo).toBeGreaterThan(0);
    expect(sentBeforeIo).toBeLessThanOrEqual(SEND_ROUND_EVENTS);
  });

  it('streams that go away while waiting for their turn read nothing more (the server closes its database after them)', async () => {
    db = await openDatabase(':memory:');
    const deps = { db, feed: busFeed(new EventBus()) } as unknown as AppDeps;
    const aborts = Array.from({ length: 20 }, () => new AbortController());
    const streams = aborts.map(async (abort) => {
      for await (const chunk of batchEventChunks(deps, BATCH, 0, abort.signal)) void chunk;
    });
    // A server stopping: its connections close (their signals abort), then its database.
    for (const abort of aborts) abort.abort();
    await db.destroy();
    db = undefined;
    await expect(Promise.all(streams)).resolves.toBeDefined();
  });

  it('late streams joining a stored log at once share its pages: every first page goes out within a few rounds, one object for all', async () => {
    db = await openDatabase(':memory:');
    const deps = { db, feed: busFeed(new EventBus()) } as unknown as AppDeps;
    await appendEvents(db, Array.from({ length: 600 }, (_, i) => ({ ...event(0), at: i })), 'fleet');
    const STREAMS = 50;
    const aborts = Array.from({ length: STREAMS }, () => new AbortController());
    // Rounds of the event loop (send turns are granted per round, in its check phase).
    let rounds = 0;
    let counting = true;
    const count = () => {
      rounds++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const firsts = await Promise.all(
      aborts.map(async (abort) => {
        const stream = batchEventChunks(deps, BATCH, 0, abort.signal);
        const first = (await stream.next()).value as readonly EngineEvent[];
        return { first, rounds, stream };
      }),
    );
    counting = false;
    for (const abort of aborts) abort.abort();
    await Promise.all(firsts.map(({ stream }) => stream.return(undefined)));
    // One page read serves them all (the SSE responder then serializes it once); a page each per round took about 50 rounds (48 measured), eight shared pages per round about 8.
    expect(new Set(firsts.map(({ first }) => first)).size).toBe(1);
    expect(firsts[0]!.first.map((e) => e.seq)).toEqual(Array.from({ length: firsts[0]!.first.length }, (_, i) => i + 1));
    expect(Math.max(...firsts.map((f) => f.rounds))).toBeLessThanOrEqual(15);
  });
});
