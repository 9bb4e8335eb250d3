import { isTerminal, TASK_STATES, type HydrateBatch, type TaskFacts, type TaskSpec, type TaskState } from '@clipfleet/engine';
import type { TasksTable } from '../db/types.ts';
import type { Db } from '../db/database.ts';
import { unfinishedBatches } from '../store/batches.ts';
import type { Executor } from '../store/executor.ts';

/** The engine's view of a task row. Prompts stay in the database: the persisting gateway loads them. */
export function taskSpecOf(row: Pick<TasksTable, 'id' | 'batch_id' | 'user_id' | 'row_index' | 'model' | 'resolution' | 'duration_sec'>): TaskSpec {
  return {
    taskId: row.id,
    batchId: row.batch_id,
    userId: row.user_id,
    rowIndex: row.row_index,
    model: row.model,
    resolution: row.resolution,
    durationSec: row.duration_sec,
  };
}

/** The task columns that hold its facts (not the prompt: it can be 10,000 characters, read for every event). */
export const FACT_COLUMNS = [
  'id', 'batch_id', 'user_id', 'row_index', 'model', 'resolution', 'duration_sec',
  'state', 'attempts', 'generation_retries', 'remote_task_id', 'account_id', 'submitted_at', 'next_due_at',
  'progress', 'result_urls', 'fail_code', 'fail_message',
] as const;

export type FactRow = Pick<TasksTable, (typeof FACT_COLUMNS)[number]>;

/**
 * A batch's task rows, facts only, in row order: what a hydrate or an addBatch command needs. Not the prompts:
 * 10,000 rows of up to 10,000 characters each were read whole to be dropped.
 */
export async function factRowsOfBatch(db: Executor, batchId: string): Promise<FactRow[]> {
  return db.selectFrom('tasks').select(FACT_COLUMNS).where('batch_id', '=', batchId).orderBy('row_index', 'asc').execute();
}

/** A task row's facts (the inverse of `factsPatch`). */
export function factsOf(row: FactRow): TaskFacts {
  return {
    spec: taskSpecOf(row),
    state: (TASK_STATES as readonly string[]).includes(row.state) ? (row.state as TaskState) : 'queued',
    attempts: row.attempts,
    generationRetries: row.generation_retries,
    remoteTaskId: row.remote_task_id,
    accountId: row.account_id,
    submittedAt: row.submitted_at === null ? null : Number(row.submitted_at),
    nextDueAt: row.next_due_at === null ? null : Number(row.next_due_at),
    progress: row.progress,
    resultUrls: row.result_urls ? (JSON.parse(row.result_urls) as string[]) : [],
    failure: row.fail_code === null && row.fail_message === null ? null : { code: row.fail_code ?? '', message: row.fail_message ?? '' },
  };
}

/** The facts as task columns: `factsOf(factsPatch(f))` gives `f` back. */
export function factsPatch(facts: TaskFacts) {
  return {
    state: facts.state,
    attempts: facts.attempts,
    generation_retries: facts.generationRetries,
    remote_task_id: facts.remoteTaskId,
    account_id: facts.accountId,
    submitted_at: facts.submittedAt,
    next_due_at: facts.nextDueAt,
    progress: facts.progress,
    result_urls: facts.resultUrls.length > 0 ? JSON.stringify(facts.resultUrls) : null,
    fail_code: facts.failure?.code ?? null,
    fail_message: facts.failure?.message ?? null,
  };
}

export interface LoadedBatches {
  batches: HydrateBatch[];
  /** Batches whose every task had ended but whose batch.finished was not yet written when the process stopped. */
  ended: string[];
}

/**
 * Every unfinished batch (or one user's, or the given ones) with its tasks' durable facts, for hydrateSupervisor
 * after a restart and for a worker that takes a user over.
 */
export async function loadUnfinished(db: Db, scope: { userId?: string; batchIds?: string[]; except?: string[] } = {}): Promise<LoadedBatches> {
  const rows = (await unfinishedBatches(db, scope.userId)).filter((b) => (scope.batchIds?.includes(b.id) ?? true) && !scope.except?.includes(b.id));
  const batches: HydrateBatch[] = [];
  const ended: string[] = [];
  for (const b of rows) {
    const facts = (await factRowsOfBatch(db, b.id)).map(factsOf);
    if (facts.length > 0 && facts.every((f) => isTerminal(f.state))) {
      ended.push(b.id);
      continue;
    }
    batches.push({ batchId: b.id, userId: b.user_id, paused: b.state === 'paused', cancelled: b.state === 'cancelled', tasks: facts });
  }
  return { batches, ended };
}
