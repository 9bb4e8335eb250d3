import type { LedgerKind } from '../db/types.ts';
import { shapedChunks, yieldToLoop, type Executor } from './executor.ts';
import { newId } from './ids.ts';

/**
 * The credit ledger is append-only. The available balance is the sum of `amount`:
 * grant +credits, reserve -price, charge 0 (it settles a reserve as spent), refund +price.
 * (task_id, kind, round) is unique, so settling a task twice is a no-op: a task is never charged twice.
 * `user_balances` holds that sum, bumped by every append below; call them inside a transaction so both move together.
 */

export async function balanceOf(db: Executor, userId: string): Promise<number> {
  const row = await db.selectFrom('user_balances').select('balance').where('user_id', '=', userId).executeTakeFirst();
  return Number(row?.balance ?? 0);
}

async function bumpBalance(trx: Executor, userId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .insertInto('user_balances')
    .values({ user_id: userId, balance: delta })
    .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ balance: eb('user_balances.balance', '+', delta) })))
    .execute();
}

export async function grantCredits(trx: Executor, userId: string, credits: number, note: string | null, now = Date.now()): Promise<void> {
  await trx
    .insertInto('credit_ledger')
    .values({ id: newId(), user_id: userId, kind: 'grant', amount: credits, credits, batch_id: null, task_id: null, round: 0, note, created_at: now })
    .execute();
  await bumpBalance(trx, userId, credits);
}

export interface TaskCharge {
  taskId: string;
  batchId: string;
  userId: string;
  price: number;
  round: number;
}

/**
 * Reserves a new batch's full price as one entry (call inside the transaction that inserts the tasks): one row per
 * batch keeps accepting 10,000 rows cheap. Settlements stay per task (charge or refund of that task's price).
 */
export async function reserveBatch(trx: Executor, batch: { batchId: string; userId: string; credits: number }, now = Date.now()): Promise<void> {
  await trx
    .insertInto('credit_ledger')
    .values({ id: `reserve:${batch.batchId}`, user_id: batch.userId, kind: 'reserve', amount: -batch.credits, credits: batch.credits, batch_id: batch.batchId, task_id: null, round: 0, note: null, created_at: now })
    .execute();
  await bumpBalance(trx, batch.userId, -batch.credits);
}

/** Reserves single tasks for a new billing round (retryFailed re-queues them one by one). */
export async function reserveTasks(trx: Executor, tasks: TaskCharge[], now = Date.now()): Promise<void> {
  for (const [i, part] of shapedChunks(tasks, 256).entries()) {
    if (i > 0) await yieldToLoop();
    await trx
      .insertInto('credit_ledger')
      .values(part.map((t) => entry(t, 'reserve', -t.price, now)))
      .execute();
  }
  const byUser = new Map<string, number>();
  for (const t of tasks) byUser.set(t.userId, (byUser.get(t.userId) ?? 0) - t.price);
  for (const [userId, delta] of byUser) await bumpBalance(trx, userId, delta);
}

/** Settles a task's reservation as spent (charge) or returned (refund); a second settlement of the round is ignored. */
export async function settleTask(trx: Executor, task: TaskCharge, kind: 'charge' | 'refund', now = Date.now()): Promise<void> {
  const settled = await trx
    .selectFrom('credit_ledger')
    .select('kind')
    .where('task_id', '=', task.taskId)
    .where('round', '=', task.round)
    .where('kind', 'in', ['charge', 'refund'])
    .executeTakeFirst();
  if (settled) return;
  const amount = kind === 'refund' ? task.price : 0;
  await trx.insertInto('credit_ledger').values(entry(task, kind, amount, now)).execute();
  await bumpBalance(trx, task.userId, amount);
}

/** A task's entry: its id names (kind, task, round), so the primary key itself forbids a second one. */
function entry(t: TaskCharge, kind: LedgerKind, amount: number, now: number) {
  return { id: `${kind}:${t.taskId}:${t.round}`, user_id: t.userId, kind, amount, credits: t.price, batch_id: t.batchId, task_id: t.taskId, round: t.round, note: null, created_at: now };
}

export interface LedgerTotals {
  reserved: number;
  charged: number;
  refunded: number;
}

/** What a batch reserved, spent and got back (credits, all positive). */
export async function batchTotals(db: Executor, batchId: string): Promise<LedgerTotals> {
  const rows = await db
    .selectFrom('credit_ledger')
    .select(['kind', (eb) => eb.fn.sum<number>('credits').as('credits')])
    .where('batch_id', '=', batchId)
    .groupBy('kind')
    .execute();
  const by = (k: LedgerKind) => Number(rows.find((r) => r.kind === k)?.credits ?? 0);
  return { reserved: by('reserve'), charged: by('charge'), refunded: by('refund') };
}
