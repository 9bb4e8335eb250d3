import type { AppDeps } from '../deps.ts';
import { paymentRequired } from '../errors.ts';
import { newId } from '../store/ids.ts';
import { insertBatch } from '../store/batches.ts';
import { balanceOf, reserveBatch } from '../store/ledger.ts';
import { taskSpecOf } from '../fleet/hydrate.ts';
import type { BatchRowsInput } from './input.ts';
import { normalizeRows } from './normalize.ts';

export interface CreatedBatch {
  batchId: string;
  taskCount: number;
  creditsReserved: number;
}

/**
 * Accepts a batch: the tasks are inserted and their full price reserved in one transaction (not enough credits:
 * nothing is written), then the batch is handed to the supervisor.
 */
export async function createBatch(deps: AppDeps, userId: string, input: BatchRowsInput): Promise<CreatedBatch> {
  // Against the runtime catalog; the real KIE refuses retired models, so they are refused here, before anything is written.
  const rows = normalizeRows(input, deps.config.get(), { refuseRetired: deps.realProvider });
  const batchId = newId();
  const now = Date.now();
  // Ordered within the batch: the task rows and their index entries are appended, not scattered.
  const tasks = rows.map((r) => ({ id: `${batchId}-${String(r.rowIndex).padStart(5, '0')}`, ...r }));
  const paused = input.paused ?? false;
  const total = await deps.db.transaction().execute(async (trx) => {
    const required = tasks.reduce((sum, t) => sum + t.price, 0);
    const available = await balanceOf(trx, userId);
    if (available < required) {
      throw paymentRequired(`not enough credits: required ${required}, available ${available}`);
    }
    const reserved = await insertBatch(trx, { id: batchId, userId, name: input.name?.trim() || `Batch of ${tasks.length}`, paused, tasks }, now);
    await reserveBatch(trx, { batchId, userId, credits: reserved }, now);
    return reserved;
  });
  await deps.port.addBatch({
    batchId,
    userId,
    tasks: tasks.map((t) =>
      taskSpecOf({ id: t.id, batch_id: batchId, user_id: userId, row_index: t.rowIndex, model: t.model, resolution: t.resolution, duration_sec: t.durationSec }),
    ),
    paused,
  });
  return { batchId, taskCount: tasks.length, creditsReserved: total };
}
