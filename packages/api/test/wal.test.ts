import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { checkpointWal } from '../src/store/durable.ts';
import { createUser } from '../src/store/users.ts';

/** Issue 11: the WAL is checkpointed, so normal running does not leave it at its high-water mark and fill the disk. */
describe("a SQLite file's write-ahead log", () => {
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
});
