import { isTerminal, TASK_STATES, type HydrateBatch, type TaskFacts, type TaskSpec, type TaskState } from '@clipfleet/engine';
import type { TasksTable } from '../db/types.ts';
import type { Db } from '../db/database.ts';
import { tasksOfBatch, unfinishedBatches } from '../store/batches.ts';

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

type FactRow = Pick<
  TasksTable,
  'id' | 'batch_id' | 'user_id' | 'row_index' | 'model' | 'resolution' | 'duration_sec' | 'state' | 'attempts' | 'generation_retries' | 'remote_task_id' | 'submitted_at' | 'next_due_at'
>;

/** A task row's durable facts (the inverse of `factsPatch`). */
export function factsOf(row: FactRow): TaskFacts {
  const state = (TASK_STATES as readonly string[]).includes(row.state) ? (row.state as TaskState) : 'queued';
  return {
    spec: taskSpecOf(row),
    state,
    attempts: row.attempts,
    generationRetries: row.generation_retries,
    remoteTaskId: row.remote_task_id,
    submittedAt: row.submitted_at === null ? null : Number(row.submitted_at),
    nextDueAt: row.next_due_at === null ? null : Number(row.next_due_at),
  };
}

export interface LoadedBatches {
  batches: HydrateBatch[];
  /** Batches whose every task had ended but whose batch.finished was not yet written when the process stopped. */
  ended: string[];
}

/** Every unfinished batch with its tasks' durable facts, for hydrateSupervisor after a restart. */
export async function loadUnfinished(db: Db): Promise<LoadedBatches> {
  const rows = await unfinishedBatches(db);
  const batches: HydrateBatch[] = [];
  const ended: string[] = [];
  for (const b of rows) {
    const facts = (await tasksOfBatch(db, b.id)).map(factsOf);
    if (facts.length > 0 && facts.every((f) => isTerminal(f.state))) {
      ended.push(b.id);
      continue;
    }
    batches.push({ batchId: b.id, userId: b.user_id, paused: b.state === 'paused', cancelled: b.state === 'cancelled', tasks: facts });
  }
  return { batches, ended };
}
