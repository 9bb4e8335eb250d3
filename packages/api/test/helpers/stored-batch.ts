import type { Db } from '../../src/db/database.ts';
import { insertBatch } from '../../src/store/batches.ts';
import { grantCredits, reserveBatch } from '../../src/store/ledger.ts';
import { createUser } from '../../src/store/users.ts';

/** The seed's price of a sora-2 720p 10 s row, in credits. */
export const SEED_PRICE = 15;

/**
 * A user with credits and a reserved batch of `rows` sora-2 rows written straight into the store, as a fleet
 * finds them at start (after a restart): task ids are `${name}-000`, `${name}-001`, ...
 */
export async function storedBatch(db: Db, opts: { batchId: string; name: string; rows: number }) {
  const user = await createUser(db, opts.name);
  await grantCredits(db, user.id, 10_000, null);
  const tasks = Array.from({ length: opts.rows }, (_, i) => ({
    id: `${opts.name}-${String(i).padStart(3, '0')}`, rowIndex: i, prompt: `${opts.name} ${i}`, model: 'sora-2', resolution: '720p', durationSec: 10,
    aspectRatio: null, imageUrl: null, lastFrameUrl: null, price: SEED_PRICE,
  }));
  await db.transaction().execute(async (trx) => {
    await insertBatch(trx, { id: opts.batchId, userId: user.id, name: opts.name, paused: false, tasks });
    await reserveBatch(trx, { batchId: opts.batchId, userId: user.id, credits: opts.rows * SEED_PRICE });
  });
  return { user, tasks };
}
