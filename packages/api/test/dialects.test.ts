import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.ts';
import { dbNow, dbNowPlus } from '../src/db/clock.ts';
import { dbKind, lockRows } from '../src/db/dialect.ts';
import { listen, notify } from '../src/db/notify.ts';
import { durableTransaction, isTransientStorageError } from '../src/store/durable.ts';
import { createUser } from '../src/store/users.ts';
import { emptyDatabase, freshDatabase } from './helpers/postgres.ts';

const opened: Db[] = [];
async function open(target: string): Promise<Db> {
  const db = await openDatabase(target);
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects a channel's payloads. */
async function collect(db: Db, channel: string, opts: { onReconnect?: () => void } = {}) {
  const got: string[] = [];
  const stop = await listen(db, channel, (p) => got.push(p), opts);
  return { got, stop };
}

const targets = [
  ['sqlite', async () => ':memory:'],
  ['postgres', emptyDatabase], // empty, as ':memory:' is: opening it runs the migrations
] as const;

describe.each(targets)('one store on %s', (kind, target) => {
  it('runs the migrations, reports its kind and reads bigint columns as numbers', async () => {
    const db = await open(await target());
    expect(dbKind(db)).toBe(kind);
    const user = await createUser(db, 'int8');
    const row = await db.selectFrom('users').select(['created_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(typeof row.created_at).toBe('number');
    expect(row.created_at).toBe(user.createdAt);
    const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n).toBe(1);
    const big = 2 ** 52 + 1; // an int8 beyond int4, exact as a number
    await db.insertInto('provider_calls').values({ op: 'createTask', outcome: 'ok', count: big }).execute();
    const { total } = await db.selectFrom('provider_calls').select((eb) => eb.fn.sum<number>('count').as('total')).executeTakeFirstOrThrow();
    expect(total).toBe(big);
  });

  it('delivers a notification sent in a transaction only when it commits, and never after a rollback', async () => {
    const db = await open(await target());
    const { got, stop } = await collect(db, 'cf_test');
    await db.transaction().execute(async (trx) => {
      await notify(trx, 'cf_test', 'first');
      await sleep(150);
      expect(got).toEqual([]); // not before the commit
    });
    await expect(
      durableTransaction(db, async (trx) => {
        await notify(trx, 'cf_test', 'rolled back');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await durableTransaction(db, (trx) => notify(trx, 'cf_test', 'second'));
    await notify(db, 'cf_test', 'outside a transaction');
    await waitUntil(() => got.length >= 3);
    await sleep(100);
    expect(got).toEqual(['first', 'second', 'outside a transaction']);
    await stop();
    await notify(db, 'cf_test', 'after unlisten');
    await sleep(150);
    expect(got).toHaveLength(3);
  });

  it("reads the database's clock as integer epoch ms (here the same host's clock), and offsets it", async () => {
    const db = await open(await target());
    const before = Date.now();
    const row = await db
      .selectNoFrom([dbNow(db).as('now'), dbNowPlus(db, -60_000).as('ago')])
      .executeTakeFirstOrThrow();
    const after = Date.now();
    expect(Number.isInteger(row.now)).toBe(true);
    // Postgres: the statement's start; both clocks read milliseconds, so allow the one the reads round off.
    expect(row.now).toBeGreaterThanOrEqual(before - 1);
    expect(row.now).toBeLessThanOrEqual(after + 1);
    expect(row.now - row.ago).toBe(60_000);
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    const db = await open(await target());
    await expect(notify(db, 'Bad-Name', 'x')).rejects.toThrow(/notification channel "Bad-Name"/);
  });
});

describe('PostgreSQL specifics on a real server', () => {
  it('FOR UPDATE SKIP LOCKED: a second transaction skips the row the first holds', async () => {
    const url = await freshDatabase();
    const a = await open(url);
    const b = await open(url);
    await createUser(a, 'one');
    await createUser(a, 'two');
    const claim = (db: Db) => db.selectFrom('users').select('name').orderBy('name').limit(1).$call(lockRows(db, { skipLocked: true }));
    const first = await a.startTransaction().execute();
    try {
      expect((await claim(first).executeTakeFirstOrThrow()).name).toBe('one');
      // b sees 'one' locked and takes the next row instead of waiting.
      const second = await b.transaction().execute((trx) => claim(trx).executeTakeFirstOrThrow());
      expect(second.name).toBe('two');
    } finally {
      await first.rollback().execute();
    }
    // Released: b claims 'one' again.
    expect((await b.transaction().execute((trx) => claim(trx).executeTakeFirstOrThrow())).name).toBe('one');
  });

  it('the lock clause is added only on Postgres (SQLite rejects it)', async () => {
    const sqlite = await open(':memory:');
    const pgDb = await open(await freshDatabase());
    const compiled = (db: Db) => db.selectFrom('users').selectAll().$call(lockRows(db, { skipLocked: true })).compile().sql;
    expect(compiled(sqlite)).not.toMatch(/for update/i);
    expect(compiled(pgDb)).toMatch(/for update skip locked$/i);
    expect(pgDb.selectFrom('users').selectAll().$call(lockRows(pgDb)).compile().sql).toMatch(/for update$/i);
    await expect(sqlite.selectFrom('users').selectAll().$call(lockRows(sqlite, { skipLocked: true })).execute()).resolves.toEqual([]);
  });

  it('a notification from another process reaches the listener; a terminated listening connection reconnects and listens again', async () => {
    const url = await freshDatabase();
    const listener = await open(url);
    const sender = await open(url);
    let reconnects = 0;
    const { got } = await collect(listener, 'cf_fanout', { onReconnect: () => reconnects++ });
    await notify(sender, 'cf_fanout', 'one');
    await waitUntil(() => got.length === 1);
    // Kill the listening backend as a server restart or an admin would.
    const killed = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int8 as n from pg_stat_activity
      where datname = current_database() and query ilike 'LISTEN%'`.execute(sender);
    expect(killed.rows[0]!.n).toBe(1);
    await waitUntil(() => reconnects === 1, 10_000);
    await notify(sender, 'cf_fanout', 'two');
    await waitUntil(() => got.length === 2);
    expect(got).toEqual(['one', 'two']);
  });

  it('a malformed URL and an unreachable server fail with one line naming the target, password hidden', async () => {
    await expect(openDatabase('postgres://clip:secret@127.0.0.1:notaport/x')).rejects.toThrow(/^malformed PostgreSQL URL "postgres:\/\/clip:\*\*\*@127\.0\.0\.1:notaport\/x"/);
    const err = (await openDatabase('postgres://clip:secret@127.0.0.1:1/x').catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^cannot connect to PostgreSQL at "postgres:\/\/clip:\*\*\*@127\.0\.0\.1:1\/x": .*ECONNREFUSED/);
    expect(err.message).not.toContain('secret');
    expect(err.message).not.toContain('\n');
  });
});

async function waitUntil(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

describe('storage errors: transient (retried, admissions paused) or permanent (a bug in the write)', () => {
  const err = (code: string | undefined, message = 'x') => Object.assign(new Error(message), code === undefined ? {} : { code });
  it.each([
    ['SQLITE_FULL', true],
    ['SQLITE_IOERR_WRITE', true],
    ['SQLITE_BUSY', true],
    ['SQLITE_READONLY', true],
    ['SQLITE_CONSTRAINT_UNIQUE', false],
    ['SQLITE_ERROR', false],
    ['ECONNREFUSED', true],
    ['ECONNRESET', true],
    [undefined, true], // pg's "Connection terminated unexpectedly" carries no code
    ['57P01', true], // admin_shutdown: the server is stopping
    ['57P03', true], // cannot_connect_now: the server is starting
    ['08006', true], // connection_failure
    ['53300', true], // too_many_connections
    ['40001', true], // serialization_failure
    ['40P01', true], // deadlock_detected
    ['23505', false], // unique_violation
    ['22P02', false], // invalid_text_representation
    ['42P01', false], // undefined_table
    ['0A000', false], // feature_not_supported
  ])('%s: transient %s', (code, transient) => {
    expect(isTransientStorageError(err(code))).toBe(transient);
  });

  it('a real stopped server fails a write with a transient error', async () => {
    const url = await freshDatabase();
    const db = await open(url);
    // Terminating every session of this database is what a server shutdown does to a running worker.
    const other = await open(url);
    const trx = await db.startTransaction().execute();
    await createUser(trx, 'before');
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(other);
    const failure = await createUser(trx, 'after').catch((e: unknown) => e);
    await trx.rollback().execute().catch(() => {});
    expect(failure).toBeInstanceOf(Error);
    expect(isTransientStorageError(failure)).toBe(true);
    // The pool replaces the lost connection: the next write works.
    await expect(createUser(db, 'again')).resolves.toMatchObject({ name: 'again' });
  });
});
