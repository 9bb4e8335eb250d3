import { router } from './init.ts';
import { adminRouter } from './router/admin.ts';
import { batchRouter } from './router/batch.ts';
import { catalogRouter } from './router/catalog.ts';
import { inspectorRouter } from './router/inspector.ts';
import { meRouter } from './router/me.ts';
import { plansRouter } from './router/plans.ts';
import { simRouter } from './router/sim.ts';
import { taskRouter } from './router/task.ts';

export const appRouter = router({
  catalog: catalogRouter,
  plans: plansRouter,
  me: meRouter,
  batch: batchRouter,
  task: taskRouter,
  inspector: inspectorRouter,
  sim: simRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;

/** Subscriptions served by our own SSE responder (sseSubscriptions.ts): one batch's log to many subscribers. */
export const PROGRESS_SUBSCRIPTIONS = ['batch.onProgress', 'batch.onProgressGrouped'] as const;
