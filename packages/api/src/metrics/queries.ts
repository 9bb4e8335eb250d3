import { sql } from 'kysely';
import type { Executor } from '../store/executor.ts';
import type { LedgerTotals } from '../store/ledger.ts';

export interface TaskClassCount {
  state: string;
  model: string;
  resolution: string;
  durationSec: number;
  count: number;
}

/** Tasks of unfinished batches by state and class (finished batches are history: their outcomes are counters). */
export async function liveTaskCounts(db: Executor): Promise<TaskClassCount[]> {
  const rows = await db
    .selectFrom('tasks')
    .innerJoin('batches', 'batches.id', 'tasks.batch_id')
    .where('batches.finished_at', 'is', null)
    .select(['tasks.state', 'tasks.model', 'tasks.resolution', 'tasks.duration_sec', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['tasks.state', 'tasks.model', 'tasks.resolution', 'tasks.duration_sec'])
    .execute();
  return rows.map((r) => ({ state: r.state, model: r.model, resolution: r.resolution, durationSec: Number(r.duration_sec), count: Number(r.count) }));
}

/** The whole ledger's reserved, charged and refunded credits. */
export async function creditTotals(db: Executor): Promise<LedgerTotals> {
  const rows = await db
    .selectFrom('credit_ledger')
    .select(['kind', (eb) => eb.fn.coalesce(eb.fn.sum<number>('credits'), sql<number>`0`).as('credits')])
    .where('kind', 'in', ['reserve', 'charge', 'refund'])
    .groupBy('kind')
    .execute();
  const by = (k: string) => Number(rows.find((r) => r.kind === k)?.credits ?? 0);
  return { reserved: by('reserve'), charged: by('charge'), refunded: by('refund') };
}

/** The class of each task of a batch (metrics label their events by class). */
export async function batchTaskClasses(db: Executor, batchId: string) {
  const rows = await db.selectFrom('tasks').select(['id', 'model', 'resolution', 'duration_sec']).where('batch_id', '=', batchId).execute();
  return rows.map((r) => ({ taskId: r.id, model: r.model, resolution: r.resolution, durationSec: Number(r.duration_sec) }));
}
