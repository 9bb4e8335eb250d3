import { isTerminal, type TaskState } from '@clipfleet/engine';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { notFound } from '../../errors.ts';
import { taskView } from '../../batches/views.ts';
import { findTask } from '../../store/batches.ts';
import { protectedProcedure, router } from '../init.ts';

const TaskId = z.object({ taskId: z.string().min(1).max(100) });

async function ownTask(ctx: { deps: AppDeps; user: { id: string } }, taskId: string) {
  const task = await findTask(ctx.deps.db, ctx.user.id, taskId);
  if (!task) throw notFound(`task ${taskId} not found`);
  return task;
}

export const taskRouter = router({
  get: protectedProcedure.input(TaskId).query(async ({ ctx, input }) => {
    const task = await ownTask(ctx, input.taskId);
    return { ...taskView(task), live: ctx.deps.port.task(task.id) ?? null };
  }),

  /** Cancels one task: refunded if it never reached KIE, charged if a remote job was already submitted. */
  cancel: protectedProcedure.input(TaskId).mutation(async ({ ctx, input }) => {
    const task = await ownTask(ctx, input.taskId);
    if (isTerminal(task.state as TaskState)) return { taskId: task.id, state: task.state };
    await ctx.deps.port.cancelTask(task.user_id, task.id);
    return { taskId: task.id, state: 'cancelled' };
  }),
});
