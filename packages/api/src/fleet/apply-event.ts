import { applyTaskEvent, type EngineEvent, type TaskFacts } from '@clipfleet/engine';
import type { TasksTable } from '../db/types.ts';
import { markBatchFinished, reopenBatch, setBatchState } from '../store/batches.ts';
import type { Executor } from '../store/executor.ts';
import { reserveTasks, settleTask } from '../store/ledger.ts';
import { factsOf } from './hydrate.ts';

type TaskEvent = Extract<EngineEvent, { taskId: string }>;

/**
 * Derives the task and batch rows (and the ledger) from one engine event, inside the writer's transaction.
 * The durable facts (state, attempt, remote id, due times) are folded with the engine's own reducer
 * (`applyTaskEvent`), so the rows hold exactly what `hydrateSupervisor` expects after a crash.
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

/** The columns the fold and the ledger need (not the prompt: it can be 10,000 characters, read for every event). */
const FACT_COLUMNS = [
  'id', 'batch_id', 'user_id', 'row_index', 'model', 'resolution', 'duration_sec', 'price', 'round',
  'state', 'attempts', 'generation_retries', 'remote_task_id', 'submitted_at', 'next_due_at',
] as const;

async function applyToTask(trx: Executor, event: TaskEvent, wallNow: number): Promise<void> {
  if (event.type === 'task.status') {
    // Progress only: the facts do not change, so no read is needed (the most frequent event of a long task).
    if (event.progress !== null) await trx.updateTable('tasks').set({ progress: event.progress, updated_at: wallNow }).where('id', '=', event.taskId).execute();
    return;
  }
  const row = await trx.selectFrom('tasks').select(FACT_COLUMNS).where('id', '=', event.taskId).executeTakeFirst();
  if (!row) return;
  const facts = applyTaskEvent(factsOf(row), event);
  const patch: Partial<TasksTable> = { ...factsPatch(facts), ...extraPatch(event, wallNow), updated_at: wallNow };
  if (event.type === 'task.requeued') patch.round = row.round + 1;
  await trx.updateTable('tasks').set(patch).where('id', '=', row.id).execute();

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

/** The durable facts as task columns (also used by the writer's attempt / remote-id records). */
export function factsPatch(facts: TaskFacts) {
  return {
    state: facts.state,
    attempts: facts.attempts,
    generation_retries: facts.generationRetries,
    remote_task_id: facts.remoteTaskId,
    submitted_at: facts.submittedAt,
    next_due_at: facts.nextDueAt,
  };
}

/** What users see beyond the facts: progress, results, the last error, when it ended. */
function extraPatch(event: TaskEvent, wallNow: number): Partial<TasksTable> {
  switch (event.type) {
    case 'task.status':
      return event.progress === null ? {} : { progress: event.progress };
    case 'task.retryScheduled':
      return { fail_code: String(event.code), fail_message: event.message };
    case 'task.requeued':
      return { progress: null, result_urls: null, fail_code: null, fail_message: null, finished_at: null };
    case 'task.succeeded':
      return { result_urls: JSON.stringify(event.resultUrls), progress: 100, fail_code: null, fail_message: null, finished_at: wallNow };
    case 'task.failed':
      return { fail_code: String(event.code), fail_message: event.message, finished_at: wallNow };
    case 'task.timedOut':
      return { fail_code: 'timeout', fail_message: `no result within ${Math.round(event.timeoutMs / 1000)} s`, finished_at: wallNow };
    case 'task.cancelled':
      return { finished_at: wallNow };
    default:
      return {};
  }
}
