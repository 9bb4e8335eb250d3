import type { EngineEvent } from '@clipfleet/engine';
import { markBatchFinished, setBatchState } from '../store/batches.ts';
import type { Executor } from '../store/executor.ts';
import { settleTask } from '../store/ledger.ts';

/**
 * Derives the task and batch rows (and the ledger) from one engine event, inside the writer's transaction.
 *
 * Credits: success charges; final failure and timeout refund; a cancelled task is refunded unless it was
 * already submitted to KIE — then a remote job exists that KIE may finish and bill, so the user is charged
 * (batch.cancel "refunds what never ran").
 */
export async function applyEvent(trx: Executor, event: EngineEvent, wallNow: number): Promise<void> {
  switch (event.type) {
    case 'task.submitting':
      await updateTask(trx, event.taskId, { state: 'submitting', next_due_at: null }, wallNow);
      return;
    case 'task.submitted':
      await updateTask(trx, event.taskId, { state: 'polling', remote_task_id: event.remoteTaskId, submitted_at: event.at, attempts: event.attempt }, wallNow);
      return;
    case 'task.status':
      await updateTask(trx, event.taskId, { progress: event.progress }, wallNow);
      return;
    case 'task.retryScheduled':
      // The failed attempt's remote job is finished with: the next attempt is a new createTask.
      await updateTask(
        trx,
        event.taskId,
        {
          state: 'retrying',
          attempts: event.nextAttempt,
          next_due_at: event.dueAt,
          remote_task_id: null,
          submitted_at: null,
          fail_code: String(event.code),
          fail_message: event.message,
        },
        wallNow,
      );
      // 501 generation failures have their own retry budget, which must survive a restart.
      if (event.code === 501 && event.consumesAttempt) {
        await trx
          .updateTable('tasks')
          .set((eb) => ({ generation_retries: eb('generation_retries', '+', 1) }))
          .where('id', '=', event.taskId)
          .execute();
      }
      return;
    case 'task.requeued':
      // retryFailed: a fresh retry budget (the router already reserved the new billing round).
      await updateTask(
        trx,
        event.taskId,
        { state: 'queued', attempts: 0, generation_retries: 0, remote_task_id: null, submitted_at: null, next_due_at: null, progress: null, fail_code: null, fail_message: null, finished_at: null },
        wallNow,
      );
      return;
    case 'task.paused':
      await updateTask(trx, event.taskId, { state: 'paused', attempts: event.attempts }, wallNow);
      return;
    case 'task.resumed': {
      // A task paused while KIE ran it keeps its remote job: it resumes polling, never resubmits.
      const row = await trx.selectFrom('tasks').select('remote_task_id').where('id', '=', event.taskId).executeTakeFirst();
      await updateTask(trx, event.taskId, { state: row?.remote_task_id ? 'polling' : 'queued' }, wallNow);
      return;
    }
    case 'task.succeeded':
      await updateTask(
        trx,
        event.taskId,
        { state: 'succeeded', remote_task_id: event.remoteTaskId, result_urls: JSON.stringify(event.resultUrls), attempts: event.attempts, progress: 100, fail_code: null, fail_message: null, finished_at: wallNow },
        wallNow,
      );
      await settle(trx, event.taskId, 'charge', wallNow);
      return;
    case 'task.failed':
      await updateTask(trx, event.taskId, { state: 'failed', fail_code: String(event.code), fail_message: event.message, attempts: event.attempts, finished_at: wallNow }, wallNow);
      await settle(trx, event.taskId, 'refund', wallNow);
      return;
    case 'task.timedOut':
      await updateTask(
        trx,
        event.taskId,
        { state: 'timedOut', fail_code: 'timeout', fail_message: `no result within ${Math.round(event.timeoutMs / 1000)} s`, attempts: event.attempts, finished_at: wallNow },
        wallNow,
      );
      await settle(trx, event.taskId, 'refund', wallNow);
      return;
    case 'task.cancelled':
      await updateTask(trx, event.taskId, { state: 'cancelled', attempts: event.attempts, finished_at: wallNow }, wallNow);
      await settle(trx, event.taskId, event.submitted ? 'charge' : 'refund', wallNow);
      return;
    case 'batch.paused':
      await setBatchState(trx, event.batchId, 'paused', wallNow);
      return;
    case 'batch.resumed':
      await setBatchState(trx, event.batchId, 'active', wallNow);
      return;
    case 'batch.cancelled':
      await setBatchState(trx, event.batchId, 'cancelled', wallNow);
      return;
    case 'batch.finished':
      await markBatchFinished(trx, event.batchId, wallNow);
      return;
    default:
      return;
  }
}

type TaskPatch = Partial<{
  state: string;
  attempts: number;
  generation_retries: number;
  remote_task_id: string | null;
  submitted_at: number | null;
  next_due_at: number | null;
  progress: number | null;
  result_urls: string | null;
  fail_code: string | null;
  fail_message: string | null;
  finished_at: number | null;
}>;

async function updateTask(trx: Executor, taskId: string, patch: TaskPatch, wallNow: number): Promise<void> {
  await trx.updateTable('tasks').set({ ...patch, updated_at: wallNow }).where('id', '=', taskId).execute();
}

async function settle(trx: Executor, taskId: string, kind: 'charge' | 'refund', wallNow: number): Promise<void> {
  const task = await trx.selectFrom('tasks').select(['id', 'batch_id', 'user_id', 'price', 'round']).where('id', '=', taskId).executeTakeFirst();
  if (!task) return;
  await settleTask(trx, { taskId: task.id, batchId: task.batch_id, userId: task.user_id, price: task.price, round: task.round }, kind, wallNow);
}
