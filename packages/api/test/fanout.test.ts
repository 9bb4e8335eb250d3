import type { ChildProcess } from 'node:child_process';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import type { EngineEvent } from '@clipfleet/engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notifyFeed, type FeedListener } from '../src/batches/feed.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { durableTransaction } from '../src/store/durable.ts';
import { appendEvents, encodeNotice, EVENTS_CHANNEL } from '../src/store/events.ts';
import { notify } from '../src/db/notify.ts';
import { freshDatabase } from './helpers/postgres.ts';
import { followProgress } from './helpers/progress.ts';
import { kill9, serverEnv, spawnServer } from './helpers/processes.ts';

const KIE_KEY = 'fanout-test-kie-key';
const ADMIN_KEY = 'fanout-test-admin-key-0123456789-abcdef';
const TIME_SCALE = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Ends every connection LISTENing on the database (the notification side of each process drops). */
async function dropListeners(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'",
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

/** A batch's stored log, as numbers in order. */
async function storedSeqs(db: Db, batchId: string): Promise<number[]> {
  const rows = await db.selectFrom('task_events').select('seq').where('stream', '=', `batch:${batchId}`).orderBy('seq').execute();
  return rows.map((r) => r.seq);
}

describe('progress fan-out across processes on Postgres (LISTEN/NOTIFY)', () => {
  const opened: Db[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });

  it("a process's feed hears another's committed events, in order, and tells its streams to resync when its listening connection drops", async () => {
    const url = await freshDatabase();
    const writer = await openDatabase(url);
    const reader = await openDatabase(url);
    opened.push(writer, reader);
    const feed = await notifyFeed(reader);
    const heard: EngineEvent[] = [];
    let resyncs = 0;
    const listener: FeedListener = { events: (e) => heard.push(...e), resync: () => resyncs++ };
    const unsubscribe = feed.subscribe('b1', listener);
    const other: EngineEvent[] = [];
    feed.subscribe('b2', { events: (e) => other.push(...e), resync: () => {} });

    const write = (batchId: string, n: number) =>
      durableTransaction(writer, async (trx) => {
        const bodies = Array.from({ length: n }, () => ({ type: 'batch.paused', batchId, userId: 'u1', seq: 0, at: 1 }) as EngineEvent);
        const { batches } = await appendEvents(trx, bodies, 'fleet:test');
        for (const notice of batches) await notify(trx, EVENTS_CHANNEL, encodeNotice(notice));
      });
    for (let i = 0; i < 5; i++) await write('b1', 3);
    await write('b2', 2);
    await until(() => heard.length === 15 && other.length === 2, 'the notices');
    expect(heard.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(other.map((e) => e.seq)).toEqual([1, 2]);

    expect(await dropListeners(url)).toBeGreaterThan(0);
    await until(() => resyncs > 0, 'a resync after the listening connection came back');
    await write('b1', 2);
    await until(() => heard.length === 17, 'events after the reconnect');
    expect(heard.slice(15).map((e) => e.seq)).toEqual([16, 17]);

    unsubscribe();
    await write('b1', 1);
    await sleep(200);
    expect(heard).toHaveLength(17);
    await feed.close();
  });

  describe('two API processes on one database', () => {
    let sim: KieSimServer;
    const children: ChildProcess[] = [];
    let api: ClipFleetServer | undefined;
    beforeAll(async () => {
      sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: 13, timeScale: TIME_SCALE, apiKeys: [KIE_KEY] });
    });
    afterAll(async () => {
      await api?.stop();
      for (const c of children) await kill9(c);
      await sim?.close();
    });

    it('an SSE client on the other process sees every event of the batch once and in order, across a Last-Event-ID reconnect and a dropped NOTIFY connection', async () => {
      const url = await freshDatabase();
      // The writer: a real server process that runs the batch.
      const spawned = spawnServer(await serverEnv({ dbPath: url, kieUrl: sim.url, kieKey: KIE_KEY, adminKey: ADMIN_KEY, timeScale: TIME_SCALE }));
      children.push(spawned.child);
      const writer = await spawned.ready;
      // The reader: another server (this test's process) on the same database; its clients only watch.
      api = createServer({ dbPath: url, port: 0, devCredits: 0, adminKey: ADMIN_KEY, kie: { mode: 'real', apiKey: KIE_KEY, baseUrl: sim.url, timeScale: TIME_SCALE } });
      const { url: readerUrl } = await api.start();
      const onWriter = createClipFleetClient(writer.url, writer.devKey!, { EventSource });
      const onReader = createClipFleetClient(readerUrl, writer.devKey!, { EventSource });
      await createClipFleetClient(writer.url, ADMIN_KEY, { EventSource }).admin.setPlan.mutate({ userId: (await onWriter.me.get.query()).user.id, plan: 'enterprise' });

      const N = 12;
      const { batchId } = await onWriter.batch.create.mutate({
        rows: Array.from({ length: N }, (_, i) => ({ prompt: `fan-out clip ${i}` })),
        defaultModel: 'wan-2.7',
        defaultResolution: '720p',
        defaultDuration: 2,
        paused: true,
      });

      const follow = (lastEventId: string | null, stopAfter = Infinity) => followProgress(onReader, batchId, lastEventId, stopAfter);
      const full = follow(null);
      const head = follow(null, 8);
      await until(() => full.got.length > 0, 'the batch.added replay');
      await onWriter.batch.resume.mutate({ batchId });
      const headEvents = await head.done;

      // The notification connections drop while the batch runs: the streams catch up from the stored rows.
      await until(() => full.got.some((e) => e.data.type === 'task.submitted'), 'a submitted task');
      expect(await dropListeners(url)).toBeGreaterThan(0);

      // Reconnect with the last id seen, later.
      await sleep(300);
      const tail = await follow(headEvents.at(-1)!.id).done;
      const all = await full.done;

      const ids = all.map((e) => Number(e.id));
      expect(all.at(-1)!.data.type).toBe('batch.finished');
      expect(all.filter((e) => e.data.type === 'task.succeeded')).toHaveLength(N);
      // Once, in order, gap-free: exactly the batch's stored log, numbered by its owner.
      const db = await openDatabase(url);
      try {
        expect(ids).toEqual(await storedSeqs(db, batchId));
        const { n } = await db.selectFrom('task_events').select((eb) => eb.fn.countAll<string>().as('n')).where('batch_id', '=', batchId).executeTakeFirstOrThrow();
        expect(ids).toHaveLength(Number(n));
      } finally {
        await db.destroy();
      }
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      expect(all.every((e) => e.data.seq === Number(e.id))).toBe(true);
      expect([...headEvents, ...tail].map((e) => e.id)).toEqual(all.map((e) => e.id));
    }, 120_000);
  });
});
