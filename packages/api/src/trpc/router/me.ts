import { getBatchConfig } from '@clipfleet/engine';
import { balanceOf } from '../../store/ledger.ts';
import { planOf } from '../../store/payments.ts';
import { z } from 'zod';
import { protectedProcedure, router } from '../init.ts';
import { planView } from './plans.ts';

export const meRouter = router({
  /** The caller, their plan (latest active payment; none: the default plan), effective limits and balance. */
  get: protectedProcedure.query(async ({ ctx }) => {
    const config = ctx.deps.config.get();
    const planId = await planOf(ctx.deps.db, ctx.user.id, config.defaultPlan);
    const plan = getBatchConfig(config.plans.some((p) => p.id === planId) ? planId : config.defaultPlan, config);
    const load = (await ctx.deps.port.status()).users.find((u) => u.userId === ctx.user.id);
    return {
      user: { id: ctx.user.id, name: ctx.user.name, createdAt: ctx.user.createdAt },
      plan: planView(plan, config),
      limits: {
        concurrency: plan.concurrency,
        /** Concurrency in force now (degradation lowers it, recovery raises it back). */
        effectiveConcurrency: load?.level ?? plan.concurrency,
        batchSize: plan.batchSize,
        maxBatchRows: config.maxBatchRows,
        maxPromptLength: config.catalog.maxPromptLength,
      },
      balance: await balanceOf(ctx.deps.db, ctx.user.id),
      running: load?.running ?? 0,
      queued: load?.queued ?? 0,
    };
  }),
  /**
   * A short-lived token for where a header cannot go: `stream` for SSE subscriptions (connectionParams.token),
   * `download` for links (`?token=` on the ZIP and file routes). The API key itself never goes in a URL.
   */
  linkToken: protectedProcedure
    .input(z.object({ scope: z.enum(['stream', 'download']) }))
    .mutation(({ ctx, input }) => ctx.deps.auth.links.mint(ctx.user.id, input.scope)),
});
