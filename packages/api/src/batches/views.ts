import { TASK_STATES, type TaskState } from '@clipfleet/engine';
import type { BatchesTable, TasksTable } from '../db/types.ts';
import { imagesOf } from '../store/images.ts';

export function countsView(counts: Record<string, number> | undefined): Record<TaskState, number> {
  const out = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  for (const [state, n] of Object.entries(counts ?? {})) if (state in out) out[state as TaskState] = n;
  return out;
}

export function batchView(row: BatchesTable, counts: Record<string, number> | undefined) {
  const byState = countsView(counts);
  const done = byState.succeeded + byState.failed + byState.cancelled + byState.timedOut;
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    taskCount: row.task_count,
    done,
    counts: byState,
    creditsReserved: row.credits_reserved,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export function taskView(row: TasksTable) {
  return {
    id: row.id,
    batchId: row.batch_id,
    rowIndex: row.row_index,
    prompt: row.prompt,
    model: row.model,
    resolution: row.resolution,
    durationSec: row.duration_sec,
    aspectRatio: row.aspect_ratio,
    imageUrls: imagesOf(row).imageUrls ?? [],
    credits: row.price,
    state: row.state as TaskState,
    attempts: row.attempts,
    remoteTaskId: row.remote_task_id,
    progress: row.progress,
    resultUrls: row.result_urls ? (JSON.parse(row.result_urls) as string[]) : [],
    failCode: row.fail_code,
    failMessage: row.fail_message,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
