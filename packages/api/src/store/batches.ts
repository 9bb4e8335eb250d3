import type { BatchState, BatchesTable } from '../db/types.ts';
import { shapedChunks, yieldToLoop, type Executor } from './executor.ts';

export interface NewTask {
  id: string;
  rowIndex: number;
  prompt: string;
  model: string;
  resolution: string;
  durationSec: number;
  aspectRatio: string | null;
  /** The image, or the first frame; a last frame only with a first. */
  imageUrl: string | null;
  lastFrameUrl: string | null;
  price: number;
}

export interface NewBatch {
  id: string;
  userId: string;
  name: string;
  paused: boolean;
  tasks: NewTask[];
}

/** Inserts a batch and its tasks (call inside the transaction that also reserves the credits). */
export async function insertBatch(trx: Executor, batch: NewBatch, now = Date.now()): Promise<number> {
  const total = batch.tasks.reduce((sum, t) => sum + t.price, 0);
  await trx
    .insertInto('batches')
    .values({
      id: batch.id,
      user_id: batch.userId,
      name: batch.name,
      state: batch.paused ? 'paused' : 'active',
      task_count: batch.tasks.length,
      credits_reserved: total,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    .execute();
  // 25 columns per row: 256 rows stay well under SQLite's bound-parameter limit.
  for (const [i, part] of shapedChunks(batch.tasks, 256).entries()) {
    if (i > 0) await yieldToLoop();
    await trx
      .insertInto('tasks')
      .values(
        part.map((t) => ({
          id: t.id,
          batch_id: batch.id,
          user_id: batch.userId,
          row_index: t.rowIndex,
          prompt: t.prompt,
          model: t.model,
          resolution: t.resolution,
          duration_sec: t.durationSec,
          aspect_ratio: t.aspectRatio,
          image_url: t.imageUrl,
          last_frame_url: t.lastFrameUrl,
          price: t.price,
          state: 'queued',
          attempts: 0,
          generation_retries: 0,
          round: 0,
          remote_task_id: null,
          submitted_at: null,
          next_due_at: null,
          progress: null,
          result_urls: null,
          fail_code: null,
          fail_message: null,
          created_at: now,
          updated_at: now,
          finished_at: null,
        })),
      )
      .execute();
  }
  return total;
}

/** A user's batch, or undefined when it does not exist or belongs to someone else (existence is not leaked). */
export async function findBatch(db: Executor, userId: string, batchId: string) {
  return db.selectFrom('batches').selectAll().where('id', '=', batchId).where('user_id', '=', userId).executeTakeFirst();
}

export async function setBatchState(db: Executor, batchId: string, state: BatchState, now = Date.now()): Promise<void> {
  await db.updateTable('batches').set({ state, updated_at: now }).where('id', '=', batchId).execute();
}

export async function markBatchFinished(db: Executor, batchId: string, now = Date.now()): Promise<void> {
  await db.updateTable('batches').set({ finished_at: now, updated_at: now }).where('id', '=', batchId).execute();
  // A cancelled batch stays "cancelled" once its last task ends; anything else is finished.
  await db.updateTable('batches').set({ state: 'finished' }).where('id', '=', batchId).where('state', '!=', 'cancelled').execute();
}

export async function reopenBatch(db: Executor, batchId: string, now = Date.now()): Promise<void> {
  await db.updateTable('batches').set({ state: 'active', finished_at: null, updated_at: now }).where('id', '=', batchId).execute();
}

/** Cursor pages, newest first. The cursor is the last row's (created_at, id). */
export async function listBatches(db: Executor, userId: string, limit: number, cursor: { createdAt: number; id: string } | null) {
  let q = db.selectFrom('batches').selectAll().where('user_id', '=', userId);
  if (cursor) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', cursor.createdAt), eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)])]),
    );
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function stateCounts(db: Executor, batchIds: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (batchIds.length === 0) return out;
  const rows = await db
    .selectFrom('tasks')
    .select(['batch_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('batch_id', 'in', batchIds)
    .groupBy(['batch_id', 'state'])
    .execute();
  for (const row of rows) {
    const counts = out.get(row.batch_id) ?? {};
    counts[row.state] = Number(row.n);
    out.set(row.batch_id, counts);
  }
  return out;
}

/** Cursor pages of a batch's tasks in row order; the cursor is the last row index. */
export async function listTasks(db: Executor, batchId: string, opts: { states?: string[]; limit: number; afterRow: number | null }) {
  let q = db.selectFrom('tasks').selectAll().where('batch_id', '=', batchId);
  if (opts.states && opts.states.length > 0) q = q.where('state', 'in', opts.states);
  if (opts.afterRow !== null) q = q.where('row_index', '>', opts.afterRow);
  return q.orderBy('row_index', 'asc').limit(opts.limit).execute();
}

export async function findTask(db: Executor, userId: string, taskId: string) {
  return db.selectFrom('tasks').selectAll().where('id', '=', taskId).where('user_id', '=', userId).executeTakeFirst();
}

export async function findTaskByRemoteId(db: Executor, remoteTaskId: string) {
  return db.selectFrom('tasks').select(['id', 'batch_id', 'user_id']).where('remote_task_id', '=', remoteTaskId).executeTakeFirst();
}

/** Every unfinished batch, or one user's (the batches a worker takes over with the user's lease). */
export async function unfinishedBatches(db: Executor, userId?: string): Promise<BatchesTable[]> {
  let query = db.selectFrom('batches').selectAll().where('finished_at', 'is', null);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.orderBy('created_at', 'asc').execute();
}

export async function tasksInStates(db: Executor, batchId: string, states: string[]) {
  return db
    .selectFrom('tasks')
    .select(['id', 'batch_id', 'user_id', 'price', 'round'])
    .where('batch_id', '=', batchId)
    .where('state', 'in', states)
    .execute();
}

export async function succeededWithResults(db: Executor, batchId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'row_index', 'result_urls', 'prompt'])
    .where('batch_id', '=', batchId)
    .where('state', '=', 'succeeded')
    .orderBy('row_index', 'asc')
    .execute();
}

export async function failedTasks(db: Executor, batchId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'row_index', 'state', 'fail_code', 'fail_message', 'attempts', 'model', 'resolution', 'duration_sec'])
    .where('batch_id', '=', batchId)
    .where('state', 'in', ['failed', 'timedOut'])
    .orderBy('row_index', 'asc')
    .execute();
}
