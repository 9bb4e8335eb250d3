import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '@clipfleet/engine';
import type { BatchFeed, FeedListener } from '../src/batches/feed.ts';
import { batchEventChunks } from '../src/batches/progress.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrationProvider } from '../src/db/migrations.ts';
import { postgresDialect } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import type { AppDeps } from '../src/deps.ts';
import { EventBus } from '../src/fleet/bus.ts';
import { FleetWriter } from '../src/fleet/writer.ts';
import { appendEvents, batchEventsAfter } from '../src/store/events.ts';
import { ON_POSTGRES } from './helpers/database.ts';
import { emptyDatabase, freshDatabase } from './helpers/postgres.ts';

type Db = Kysely<Database>;

/** An empty, unmigrated database of this pass's dialect (the store opened as the server opens it, on the same). */
async function emptyDb(): Promise<Db> {
  if (!ON_POSTGRES) return new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  return new Kysely<Database>({ dialect: await postgresDialect(await emptyDatabase()) });
}

async function migrate(db: Db, to?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error } = to ? await migrator.migrateTo(to) : await migrator.migrateToLatest();
  if (error) throw error;
}

let engineSeq = 0;
/** An engine event as a supervisor emits it (numbered in its own emission order). */
function ev(body: Record<string, unknown>): EngineEvent {
  return { ...body, seq: ++engineSeq, at: 1_000 + engineSeq } as EngineEvent;
}
const added = (batchId: string) => ev({ type: 'batch.added', batchId, userId: 'u1', taskCount: 3 });

async function stored(db: Db) {
  return db.selectFrom('task_events').select(['stream', 'seq', 'type', 'payload']).orderBy('stream').orderBy('seq').execute();
}

describe('event streams: numbered per batch, user and fleet process', () => {
  let db: Db;
  beforeEach(async () => {
    db = await emptyDb();
  });
  afterEach(() => db.destroy());

  it('migration 013 renumbers a database with one global sequence per stream, keeping each stream in order', async () => {
    await migrate(db, '2026_12_01_010_result_files');
    // As the single supervisor stored them before: one global sequence across batches, users and the fleet.
    const old = [
      { batch_id: 'b1', user_id: 'u1', type: 'batch.added' },
      { batch_id: 'b2', user_id: 'u1', type: 'batch.added' },
      { batch_id: null, user_id: null, type: 'provider.throttled' },
      { batch_id: 'b1', user_id: 'u1', type: 'batch.paused' },
      { batch_id: null, user_id: 'u1', type: 'concurrency.changed' },
      { batch_id: 'b2', user_id: 'u1', type: 'batch.paused' },
      { batch_id: 'b1', user_id: 'u1', type: 'batch.resumed' },
    ].map((e, i) => ({ ...e, seq: 100 + i * 3, task_id: null, payload: JSON.stringify({ type: e.type, seq: 100 + i * 3, batchId: e.batch_id }), at: i, created_at: i }));
    await (db as Kysely<any>).insertInto('task_events').values(old).execute();

    await migrate(db);
    const rows = await stored(db);
    expect(rows.map((r) => [r.stream, r.seq, r.type])).toEqual([
      ['batch:b1', 1, 'batch.added'],
      ['batch:b1', 2, 'batch.paused'],
      ['batch:b1', 3, 'batch.resumed'],
      ['batch:b2', 1, 'batch.added'],
      ['batch:b2', 2, 'batch.paused'],
      ['fleet', 1, 'provider.throttled'],
      ['user:u1', 1, 'concurrency.changed'],
    ]);
    // A replay reads the row's number, not the old one left in the payload.
    expect((await batchEventsAfter(db, 'b1', 1, 10)).map((e) => [e.seq, e.type])).toEqual([
      [2, 'batch.paused'],
      [3, 'batch.resumed'],
    ]);
    // New events continue each stream after its last migrated one.
    const { events } = await appendEvents(db, [ev({ type: 'batch.finished', batchId: 'b2', userId: 'u1', counts: {} }), ev({ type: 'config.reloaded' })], 'fleet');
    expect(events.map((e) => e.seq)).toEqual([3, 2]);
  });

  it('a batch taken over by another writer (a restart, another worker) continues gap-free from its stored events', async () => {
    // The writer notifies through the database's channels: a database as the server opens it.
    await db.destroy();
    db = await openDatabase(ON_POSTGRES ? await freshDatabase() : ':memory:');
    const busA = new EventBus();
    const busB = new EventBus();
    const heard: Array<[string, number]> = [];
    busA.subscribeBatch('b1', (e) => heard.push(['A', e.seq]));
    busB.subscribeBatch('b1', (e) => heard.push(['B', e.seq]));
    const a = new FleetWriter(db, busA, undefined, 'fleet:a');
    for (const e of [added('b1'), ev({ type: 'batch.paused', batchId: 'b1', userId: 'u1' }), ev({ type: 'config.reloaded' })]) a.event(e);
    await a.drain();
    a.close();
    // The next owner's engine numbers its own events from 1 again: the store decides where the batch goes on.
    engineSeq = 0;
    const b = new FleetWriter(db, busB, undefined, 'fleet:b');
    for (const e of [ev({ type: 'batch.resumed', batchId: 'b1', userId: 'u1' }), ev({ type: 'config.reloaded' }), ev({ type: 'batch.paused', batchId: 'b1', userId: 'u1' })]) b.event(e);
    await b.drain();
    b.close();

    expect((await stored(db)).map((r) => [r.stream, r.seq])).toEqual([
      ['batch:b1', 1],
      ['batch:b1', 2],
      ['batch:b1', 3],
      ['batch:b1', 4],
      ['fleet:a', 1],
      ['fleet:b', 1],
    ]);
    // What each process published live is what it stored.
    expect(heard).toEqual([['A', 1], ['A', 2], ['B', 3], ['B', 4]]);
  });

  it('two writers cannot both store the same number in one stream: the second write fails instead of forking the log', async () => {
    await migrate(db);
    await appendEvents(db, [added('b1')], 'fleet');
    // A writer that read the stream's end before the other committed would store seq 2 twice.
    await db.insertInto('task_events').values({ stream: 'batch:b1', seq: 2, type: 'batch.paused', user_id: 'u1', batch_id: 'b1', task_id: null, payload: '{}', at: 0, created_at: 0 }).execute();
    await expect(
      db.insertInto('task_events').values({ stream: 'batch:b1', seq: 2, type: 'batch.resumed', user_id: 'u1', batch_id: 'b1', task_id: null, payload: '{}', at: 0, created_at: 0 }).execute(),
    ).rejects.toThrow(/UNIQUE|duplicate key/);
  });
});

/** A live feed the test drives by hand: what it delivers, and when it says "resync". */
class HandFeed implements BatchFeed {
  readonly listeners = new Set<FeedListener>();
  subscribe(_batchId: string, listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  deliver(events: EngineEvent[]): void {
    for (const l of this.listeners) l.events(events);
  }
  resync(): void {
    for (const l of this.listeners) l.resync();
  }
  async close(): Promise<void> {}
}

describe('progress streams: live feed, gaps and catch-up from the log', () => {
  let db: Db;
  let feed: HandFeed;
  let abort: AbortController;
  beforeEach(async () => {
    db = await emptyDb();
    await migrate(db);
    feed = new HandFeed();
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    await db.destroy();
  });

  /** Stores `n` events of batch b1 and returns them as stored, marked as the live feed's copies. */
  async function store(n: number): Promise<EngineEvent[]> {
    const bodies = Array.from({ length: n }, (_, i) => ev({ type: 'batch.paused', batchId: 'b1', userId: 'u1', i }));
    const { events } = await appendEvents(db, bodies, 'fleet');
    return events.map((e) => ({ ...e, live: true }));
  }

  /** Pulls the stream until it has delivered event `upTo`. */
  async function pullTo(stream: AsyncGenerator<readonly EngineEvent[]>, got: EngineEvent[], upTo: number): Promise<void> {
    while ((got.at(-1)?.seq ?? 0) < upTo) {
      const next = await stream.next();
      if (next.done) throw new Error('stream ended early');
      got.push(...next.value);
    }
  }

  const live = (events: EngineEvent[]) => events.filter((e) => (e as { live?: boolean }).live).length;
  const seqs = (events: EngineEvent[]) => events.map((e) => e.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('a subscriber 2,000+ live events behind holds at most 2,000 of them and catches up from the stored log, then goes on live', async () => {
    await store(10);
    const stream = batchEventChunks({ db, feed } as unknown as AppDeps, 'b1', 0, abort.signal);
    const got: EngineEvent[] = [];
    await pullTo(stream, got, 10);
    // The client does not read while 2,490 events are committed and published (the log's last page is not full).
    for (let i = 0; i < 10; i++) feed.deliver(await store(249));
    await pullTo(stream, got, 2_500);
    expect(seqs(got)).toEqual(range(1, 2_500));
    // Past 2,000 held live events it dropped them: what it sent came from the log.
    expect(live(got)).toBeLessThanOrEqual(2_000);
    // Caught up, it is live again.
    feed.deliver(await store(3));
    await pullTo(stream, got, 2_503);
    expect(seqs(got)).toEqual(range(1, 2_503));
    expect(live(got.slice(-3))).toBe(3);
  });

  it('a number missing from the live feed is read from the log; so is everything after a resync', async () => {
    const stream = batchEventChunks({ db, feed } as unknown as AppDeps, 'b1', 0, abort.signal);
    const got: EngineEvent[] = [];
    const first = stream.next();
    const [e1, , e3] = await store(3);
    feed.deliver([e1!]);
    got.push(...((await first).value as EngineEvent[]));
    // e2 never arrives live (a lost notification): e3 reveals the gap.
    feed.deliver([e3!]);
    await pullTo(stream, got, 3);
    expect(seqs(got)).toEqual([1, 2, 3]);
    expect(got[1]).not.toHaveProperty('live');
    // The notification connection dropped: nothing arrives live, a resync reads what was stored meanwhile.
    await store(4);
    feed.resync();
    await pullTo(stream, got, 7);
    expect(seqs(got)).toEqual(range(1, 7));
  });
});
