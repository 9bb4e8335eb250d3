import { tracked } from '@trpc/server';
import { TASK_STATES } from '@clipfleet/engine';
import { z } from 'zod';
import { createBatch } from '../../batches/create.ts';
import { normalizeRows } from '../../batches/normalize.ts';
import { estimateBatch } from '../../batches/estimate.ts';
import { groupFailures } from '../../batches/failures.ts';
import { BatchRowsInput } from '../../batches/input.ts';
import { batchView, taskView } from '../../batches/views.ts';
import type { AppDeps } from '../../deps.ts';
import { conflict, invalid, notFound, paymentRequired } from '../../errors.ts';
import { failedTasks, findBatch, listBatches, listTasks, setBatchState, stateCounts, tasksInStates } from '../../store/batches.ts';
import { batchEventChunks, eventGroup } from '../../batches/progress.ts';
import { balanceOf, batchTotals } from '../../store/ledger.ts';
import { planOf } from '../../store/payments.ts';
import { protectedProcedure, router } from '../init.ts';

const BatchId = z.object({ batchId: z.string().min(1).max(100) });

/** The caller's batch, or NOT_FOUND (also for another user's batch: existence is not leaked). */
export async function ownBatch(deps: AppDeps, userId: string, batchId: string) {
  const batch = await findBatch(deps.db, userId, batchId);
  if (!batch) throw notFound(`batch ${batchId} not found`);
  return batch;
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor<T>(cursor: string | null | undefined, schema: z.ZodType<T>): T | null {
  if (!cursor) return null;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  } catch {
    throw invalid('cursor: not a cursor returned by this API');
  }
}

const ListCursor = z.object({ createdAt: z.number(), id: z.string() });
const ProgressInput = z.object({
  batchId: z.string().min(1).max(100),
  lastEventId: z.string().regex(/^\d+$/, 'lastEventId must be an event sequence number').nullish(),
});

/** Pause (target 'paused') or resume (target 'active') an active or paused batch: engine first, then the row. */
async function setRunning(ctx: { deps: AppDeps; user: { id: string } }, batchId: string, target: 'paused' | 'active') {
  const batch = await ownBatch(ctx.deps, ctx.user.id, batchId);
  if (batch.state !== 'active' && batch.state !== 'paused') {
    const what = target === 'paused' ? 'only an active batch can be paused' : 'only a paused batch can be resumed';
    throw conflict(`batch ${batch.id} is ${batch.state}: ${what}`);
  }
  if (target === 'paused') await ctx.deps.port.pauseBatch(batch.user_id, batch.id);
  else await ctx.deps.port.resumeBatch(batch.user_id, batch.id);
  await setBatchState(ctx.deps.db, batch.id, target);
  return { batchId: batch.id, state: target };
}

export const batchRouter = router({
  estimate: protectedProcedure.input(BatchRowsInput).query(async ({ ctx, input }) => {
    const rows = normalizeRows(input, ctx.deps.config.get(), { refuseRetired: ctx.deps.realProvider });
    const config = ctx.deps.config.get();
    const plan = await planOf(ctx.deps.db, ctx.user.id, config.defaultPlan);
    const estimate = estimateBatch(rows, config, config.plans.some((p) => p.id === plan) ? plan : config.defaultPlan);
    const balance = await balanceOf(ctx.deps.db, ctx.user.id);
    return {
      ...estimate,
      rows: rows.map((r) => ({ rowIndex: r.rowIndex, model: r.model, resolution: r.resolution, durationSec: r.durationSec, credits: r.price })),
      balance,
      enoughCredits: balance >= estimate.totalCredits,
    };
  }),

  create: protectedProcedure.input(BatchRowsInput).mutation(({ ctx, input }) => createBatch(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure.input(BatchId).query(async ({ ctx, input }) => {
    const batch = await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    const counts = await stateCounts(ctx.deps.db, [batch.id]);
    return { ...batchView(batch, counts.get(batch.id)), credits: await batchTotals(ctx.deps.db, batch.id) };
  }),

  list: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20), cursor: z.string().nullish() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const cursor = decodeCursor(input.cursor, ListCursor);
      const rows = await listBatches(ctx.deps.db, ctx.user.id, input.limit + 1, cursor);
      const page = rows.slice(0, input.limit);
      const counts = await stateCounts(ctx.deps.db, page.map((b) => b.id));
      const last = page[page.length - 1];
      return {
        items: page.map((b) => batchView(b, counts.get(b.id))),
        nextCursor: rows.length > input.limit && last ? encodeCursor({ createdAt: Number(last.created_at), id: last.id }) : null,
      };
    }),

  tasks: protectedProcedure
    .input(
      BatchId.extend({
        states: z.array(z.enum(TASK_STATES)).optional(),
        state: z.enum(TASK_STATES).optional(),
        limit: z.number().int().min(1).max(500).default(100),
        cursor: z.string().nullish(),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ownBatch(ctx.deps, ctx.user.id, input.batchId);
      const after = decodeCursor(input.cursor, z.number().int());
      const states = [...(input.states ?? []), ...(input.state ? [input.state] : [])];
      const rows = await listTasks(ctx.deps.db, input.batchId, { states, limit: input.limit + 1, afterRow: after });
      const page = rows.slice(0, input.limit);
      const last = page[page.length - 1];
      return { items: page.map(taskView), nextCursor: rows.length > input.limit && last ? encodeCursor(last.row_index) : null };
    }),

  pause: protectedProcedure.input(BatchId).mutation(({ ctx, input }) => setRunning(ctx, input.batchId, 'paused')),

  resume: protectedProcedure.input(BatchId).mutation(({ ctx, input }) => setRunning(ctx, input.batchId, 'active')),

  /** Cancels every unfinished task: what never reached KIE is refunded; a job already submitted is charged. */
  cancel: protectedProcedure.input(BatchId).mutation(async ({ ctx, input }) => {
    const batch = await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    if (batch.state === 'finished' || batch.state === 'cancelled') return { batchId: batch.id, state: batch.state };
    // Recorded first: a crash before the engine finishes cancelling resumes the cancellation.
    await setBatchState(ctx.deps.db, batch.id, 'cancelled');
    await ctx.deps.port.cancelBatch(batch.user_id, batch.id);
    return { batchId: batch.id, state: 'cancelled' as const };
  }),

  /** Re-queues failed and timed-out tasks with a fresh retry budget; each is reserved again (a new billing round). */
  retryFailed: protectedProcedure.input(BatchId).mutation(async ({ ctx, input }) => {
    const batch = await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    if (batch.state === 'cancelled') throw conflict(`batch ${batch.id} is cancelled`);
    await ctx.deps.port.flush();
    const candidates = await tasksInStates(ctx.deps.db, batch.id, ['failed', 'timedOut']);
    const required = candidates.reduce((sum, t) => sum + t.price, 0);
    const available = await balanceOf(ctx.deps.db, ctx.user.id);
    if (available < required) {
      throw paymentRequired(`not enough credits: required ${required}, available ${available}`);
    }
    const retried = await ctx.deps.port.retryFailed(batch.user_id, batch.id);
    return { batchId: batch.id, retried: retried.length, taskIds: retried };
  }),

  failures: protectedProcedure.input(BatchId).query(async ({ ctx, input }) => {
    await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    return groupFailures(await failedTasks(ctx.deps.db, input.batchId));
  }),

  /**
   * Live progress over SSE. Each event is `tracked` by its sequence number: a client reconnecting with its last id
   * gets every missed event once, replayed from task_events (see `batchEventChunks`). Ends after `batch.finished`.
   */
  onProgress: protectedProcedure.input(ProgressInput).subscription(async function* ({ ctx, input, signal }) {
    const batch = await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    for await (const chunk of batchEventChunks(ctx.deps, batch.id, input.lastEventId ? Number(input.lastEventId) : 0, signal)) {
      for (const event of chunk) yield tracked(String(event.seq), event);
    }
  }),

  /**
   * The same log, several events per SSE message (`tracked` by the last one's seq): for many subscribers or big
   * batches, where one message per event costs the server more than the events themselves.
   */
  onProgressGrouped: protectedProcedure.input(ProgressInput).subscription(async function* ({ ctx, input, signal }) {
    const batch = await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    for await (const chunk of batchEventChunks(ctx.deps, batch.id, input.lastEventId ? Number(input.lastEventId) : 0, signal)) {
      yield tracked(String(chunk[chunk.length - 1]!.seq), eventGroup(chunk));
    }
  }),
});
