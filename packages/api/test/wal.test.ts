import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '@clipfleet/engine';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { EventBus } from '../src/fleet/bus.ts';
import { FleetWriter } from '../src/fleet/writer.ts';
import { checkpointWal } from '../src/store/durable.ts';
import { createUser } from '../src/store/users.ts';

/** Issue 11: the WAL is checkpointed, so normal running does not leave it at its high-water mark and fill the disk. */
describe("a SQLite file's write-ahead log", () => {
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.useRealTimers());

  it('is moved into the database file and truncated by a checkpoint, nothing lost', async () => {
    const path = join(dir, 'clipfleet.db');
    const db = await openDatabase(path);
    try {
      for (let i = 0; i < 50; i++) await createUser(db, `wal user ${i}`);
      const walBytes = () => statSync(`${path}-wal`).size;
      expect(walBytes()).toBeGreaterThan(0);
      expect(await checkpointWal(db)).toBe(true);
      expect(walBytes()).toBe(0);
      const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(n).toBe(50);
    } finally {
      await db.destroy();
    }
  });

  it("is truncated by the fleet's writer itself once its queue is empty and the checkpoint interval has passed", async () => {
    const path = join(dir, 'writer.db');
    const db = await openDatabase(path);
    const writer = new FleetWriter(db, new EventBus());
    const walBytes = () => statSync(`${path}-wal`).size;
    let seq = 0;
    const event = (): EngineEvent => ({ type: 'config.reloaded', seq: ++seq, at: seq }) as EngineEvent;
    try {
      for (let i = 0; i < 500; i++) writer.event(event());
      await writer.drain();
      // Within the interval the writer leaves the log alone (a checkpoint per flush would cost every write).
      expect(walBytes()).toBeGreaterThan(0);
      // Only the writer's wall clock moves (the database and the event loop keep real time).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
      writer.event(event());
      await writer.drain();
      expect(walBytes()).toBe(0);
      const { n } = await db.selectFrom('task_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n)).toBe(501);
    } finally {
      writer.close();
      await db.destroy();
    }
  });
});
