import type { ExpressionBuilder } from 'kysely';
import { dbNow, dbNowPlus } from '../db/clock.ts';
import type { Db } from '../db/database.ts';
import { dbKind, lockRows } from '../db/dialect.ts';
import type { Database } from '../db/types.ts';
import type { Executor } from '../store/executor.ts';

/**
 * User leases in the database: which worker runs which user's batches. Workers claim expired leases with
 * `FOR UPDATE SKIP LOCKED` (two workers never wait on, or take, the same user), renew theirs with a heartbeat,
 * and every write of a user's work checks the lease's epoch under a row lock (see `heldEpochs`), so a worker
 * that lost a user writes nothing more for them. Lease and heartbeat times are the database's clock (db/clock.ts),
 * never a worker's: the hosts' clocks may disagree.
 */

export async function registerWorker(db: Db, worker: { id: string; pid: number; host: string }): Promise<void> {
  await db.insertInto('cluster_workers').values({ ...worker, started_at: dbNow(db), heartbeat_at: dbNow(db), stopped_at: null, status: null }).execute();
}

export async function workerHeartbeat(db: Db, workerId: string, status: string | null): Promise<void> {
  await db.updateTable('cluster_workers').set({ heartbeat_at: dbNow(db), status }).where('id', '=', workerId).execute();
}

export async function markWorkerStopped(db: Db, workerId: string): Promise<void> {
  await db.updateTable('cluster_workers').set({ stopped_at: dbNow(db), status: null }).where('id', '=', workerId).execute();
}

/**
 * A `cluster_workers` row is alive: not stopped, and its heartbeat younger than `ttlMs` (a SIGKILLed worker drops
 * out after the lease time). For `.where(isLiveWorker(db, ttlMs))`, in any query over the table.
 */
export function isLiveWorker(db: Executor, ttlMs: number) {
  return (eb: ExpressionBuilder<Database, 'cluster_workers'>) =>
    eb.and([eb('cluster_workers.stopped_at', 'is', null), eb('cluster_workers.heartbeat_at', '>', dbNowPlus(db, -ttlMs))]);
}

export async function liveWorkers(db: Executor, ttlMs: number) {
  return db.selectFrom('cluster_workers').select(['id', 'status', 'heartbeat_at']).where(isLiveWorker(db, ttlMs)).execute();
}

/** The lease's user has an unfinished batch or a pending command. */
function hasWork(eb: ExpressionBuilder<Database, 'user_leases'>) {
  return eb.or([
    eb.exists(eb.selectFrom('batches').select('batches.id').whereRef('batches.user_id', '=', 'user_leases.user_id').where('batches.finished_at', 'is', null)),
    eb.exists(eb.selectFrom('fleet_commands').select('fleet_commands.id').whereRef('fleet_commands.user_id', '=', 'user_leases.user_id').where('fleet_commands.done_at', 'is', null)),
  ]);
}

/** How many users have work (owned or not): the fair share of a worker is this over the live workers. */
export async function countUsersWithWork(db: Executor): Promise<number> {
  const row = await db.selectFrom('user_leases').select((eb) => eb.fn.countAll<number>().as('n')).where(hasWork).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Leases a worker holds: user id -> epoch. */
export type HeldLeases = ReadonlyMap<string, number>;

/**
 * Claims one user whose lease has expired (or was released) and who has work: an unfinished batch or a pending
 * command. The epoch grows, fencing off whoever held it before. Returns null when there is nothing to claim.
 */
export async function claimOne(db: Db, workerId: string, ttlMs: number): Promise<{ userId: string; epoch: number } | null> {
  return db.transaction().execute(async (trx) => {
    const query = trx
      .selectFrom('user_leases')
      .select(['user_id', 'epoch'])
      .where('expires_at', '<=', dbNow(trx))
      .where(hasWork)
      .orderBy('expires_at', 'asc')
      .limit(1);
    const row = await query.$call(lockRows(trx, { skipLocked: true })).executeTakeFirst();
    if (!row) return null;
    const epoch = row.epoch + 1;
    await trx.updateTable('user_leases').set({ owner: workerId, epoch, expires_at: dbNowPlus(trx, ttlMs) }).where('user_id', '=', row.user_id).execute();
    // The user's jobs still running at KIE keep their shared slots, now the new owner's to release.
    await trx
      .updateTable('provider_slots')
      .set({ worker_id: workerId })
      .where('task_id', 'in', (eb) => eb.selectFrom('tasks').select('tasks.id').where('tasks.user_id', '=', row.user_id))
      .execute();
    return { userId: row.user_id, epoch };
  });
}

/** Extends the leases still held at their epoch; returns the users whose lease was lost (taken over since). */
export async function renewLeases(db: Db, workerId: string, held: HeldLeases, ttlMs: number): Promise<string[]> {
  if (held.size === 0) return [];
  const renewed = await db
    .updateTable('user_leases')
    .set({ expires_at: dbNowPlus(db, ttlMs) })
    .where('owner', '=', workerId)
    .where('user_id', 'in', [...held.keys()])
    .returning(['user_id', 'epoch'])
    .execute();
  const still = new Map(renewed.map((r) => [r.user_id, r.epoch]));
  return [...held].filter(([userId, epoch]) => still.get(userId) !== epoch).map(([userId]) => userId);
}

/** Gives a lease up at once (a clean stop, or an idle user): another worker may claim the user right away. */
export async function releaseLease(db: Db, workerId: string, userId: string, epoch: number): Promise<void> {
  await db.updateTable('user_leases').set({ owner: null, expires_at: 0 }).where('user_id', '=', userId).where('owner', '=', workerId).where('epoch', '=', epoch).execute();
}

/**
 * Inside a write transaction: the epochs at which `workerId` holds the users now, row-locked until commit so no
 * claim can take them over between this check and the commit (SQLite: its one writer excludes every claim).
 */
export async function heldEpochs(trx: Executor, workerId: string, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const query = trx.selectFrom('user_leases').select(['user_id', 'epoch']).where('owner', '=', workerId).where('user_id', 'in', userIds);
  // FOR KEY SHARE: a claim (FOR UPDATE) waits for this commit, a renewal (an update of no key) does not.
  const rows = await (dbKind(trx) === 'postgres' ? query.forKeyShare() : query).execute();
  return new Map(rows.map((r) => [r.user_id, r.epoch]));
}
