import { applyTaskEvent, isTerminal, type EngineEvent, type FactEvent } from '@clipfleet/engine';
import type { TasksTable } from '../db/types.ts';
import { markBatchFinished, reopenBatch, setBatchState } from '../store/batches.ts';
import type { Executor } from '../store/executor.ts';
import { reserveTasks, settleTask } from '../store/ledger.ts';
import { FACT_COLUMNS, factsOf, factsPatch } from './hydrate.ts';

type TaskEvent = Extract<EngineEvent, { taskId: string }>;

/**
 * Derives the task and batch rows (and the ledger) from one engine event, inside the writer's transaction.
 * The task's facts (state, attempt, remote id, due times, progress, results, failure) are folded with the
 * engine's own reducer (`applyTaskEvent`), so the rows hold exactly what the engine holds and what
 * `hydrateSupervisor` expects after a crash.
 *
 * Credits: success charges; final failure and timeout refund; a cancelled task is refunded unless it was
 * already submitted to KIE — then a remote job exists that KIE may finish and bill, so the user is charged
 * (batch.cancel "refunds what never ran"). retryFailed (task.requeued) starts a new billing round with a new
 * reservation, ordered after the previous round's settlement because both go through the writer's queue.
 */
export async function applyEvent(trx: Executor, event: EngineEvent, wallNow: number): Promise<void> {
  if ('taskId' in event) {
    await applyToTask(trx, event, wallNow);
    return;
  }
  switch (event.type) {
    case 'batch.paused':
      return setBatchState(trx, event.batchId, 'paused', wallNow);
    case 'batch.resumed':
      return setBatchState(trx, event.batchId, 'active', wallNow);
    case 'batch.cancelled':
      return setBatchState(trx, event.batchId, 'cancelled', wallNow);
    case 'batch.finished':
      return markBatchFinished(trx, event.batchId, wallNow);
    default:
      return;
  }
}

/**
 * Folds an event into a task's row with the engine's reducer; returns the row as it was, or undefined for an
 * unknown task. `finished_at` is the wall-clock time the task first reached an end (cleared by a requeue).
 */
export async function foldIntoRow(trx: Executor, taskId: string, event: FactEvent, wallNow: number) {
  const row = await trx.selectFrom('tasks').select([...FACT_COLUMNS, 'price', 'round', 'finished_at']).where('id', '=', taskId).executeTakeFirst();
  if (!row) return undefined;
  const facts = applyTaskEvent(factsOf(row), event);
  const patch: Partial<TasksTable> = {
    ...factsPatch(facts),
    finished_at: isTerminal(facts.state) ? (row.finished_at ?? wallNow) : null,
    updated_at: wallNow,
  };
  if (event.type === 'task.requeued') patch.round = row.round + 1;
  await trx.updateTable('tasks').set(patch).where('id', '=', taskId).execute();
  return row;
}

async function applyToTask(trx: Executor, event: TaskEvent, wallNow: number): Promise<void> {
  const row = await foldIntoRow(trx, event.taskId, event, wallNow);
  if (!row) return;
  const charge = { taskId: row.id, batchId: row.batch_id, userId: row.user_id, price: row.price, round: row.round };
  switch (event.type) {
    case 'task.succeeded':
      return settleTask(trx, charge, 'charge', wallNow);
    case 'task.failed':
    case 'task.timedOut':
      return settleTask(trx, charge, 'refund', wallNow);
    case 'task.cancelled':
      return settleTask(trx, charge, event.submitted ? 'charge' : 'refund', wallNow);
    case 'task.requeued':
      await reserveTasks(trx, [{ ...charge, round: row.round + 1 }], wallNow);
      return reopenBatch(trx, row.batch_id, wallNow);
    default:
      return;
  }
}
