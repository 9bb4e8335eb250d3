import type { Executor } from './executor.ts';
import { chunks } from './executor.ts';

export interface StoredEvent {
  seq: number;
  type: string;
  userId: string | null;
  batchId: string | null;
  taskId: string | null;
  payload: string;
  at: number;
}

export async function insertEvents(trx: Executor, events: StoredEvent[], now = Date.now()): Promise<void> {
  for (const part of chunks(events, 300)) {
    await trx
      .insertInto('task_events')
      .values(part.map((e) => ({ seq: e.seq, type: e.type, user_id: e.userId, batch_id: e.batchId, task_id: e.taskId, payload: e.payload, at: e.at, created_at: now })))
      // A sequence number is written once: a replayed write (never expected) must not sink the whole flush.
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
  }
}

/** A batch's events after `afterSeq`, in order, a page at a time. */
export async function batchEventsAfter(db: Executor, batchId: string, afterSeq: number, limit: number) {
  return db
    .selectFrom('task_events')
    .select(['seq', 'payload'])
    .where('batch_id', '=', batchId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

export async function maxSeq(db: Executor): Promise<number> {
  const row = await db.selectFrom('task_events').select((eb) => eb.fn.max<number>('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}
