import { ConfigError, PlanSchema } from '@clipfleet/engine';
import { z } from 'zod';
import { invalid, notFound } from '../../errors.ts';
import { monitorView } from '../../metrics/monitor.ts';
import { providerCalls } from '../../store/counters.ts';
import { balanceOf, grantCredits } from '../../store/ledger.ts';
import { recordPayment } from '../../store/payments.ts';
import { createUser, getUser, issueApiKey } from '../../store/users.ts';
import { adminProcedure, router } from '../init.ts';

const UserId = z.object({ userId: z.string().min(1).max(100) });

async function existingUser(db: Parameters<typeof getUser>[0], userId: string) {
  const user = await getUser(db, userId);
  if (!user) throw notFound(`user ${userId} not found`);
  return user;
}

/** Plan fields an operator may change at runtime (hot reload; running tasks keep their settings). */
const PlanPatch = PlanSchema.partial().omit({ id: true });

export const adminRouter = router({
  /** Creates a user with an API key (shown once) and optional starting credits. */
  createUser: adminProcedure
    .input(z.object({ name: z.string().min(1).max(100), credits: z.number().int().min(0).max(1e9).default(0), plan: z.string().min(1).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { db } = ctx.deps;
      if (input.plan && !ctx.deps.config.get().plans.some((p) => p.id === input.plan)) {
        throw invalid(`plan: unknown plan "${input.plan}"`);
      }
      const { user, apiKey } = await db.transaction().execute(async (trx) => {
        const user = await createUser(trx, input.name);
        const apiKey = await issueApiKey(trx, user.id);
        if (input.credits > 0) await grantCredits(trx, user.id, input.credits, 'initial grant');
        if (input.plan) await recordPayment(trx, { userId: user.id, plan: input.plan });
        return { user, apiKey };
      });
      if (input.plan) await ctx.deps.port.setUserPlan(user.id, input.plan);
      return { userId: user.id, name: user.name, apiKey };
    }),

  grantCredits: adminProcedure
    .input(UserId.extend({ credits: z.number().int().positive().max(1e9), note: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      await existingUser(ctx.deps.db, input.userId);
      await ctx.deps.db.transaction().execute((trx) => grantCredits(trx, input.userId, input.credits, input.note ?? null));
      return { userId: input.userId, balance: await balanceOf(ctx.deps.db, input.userId) };
    }),

  /** Records a payment for a plan: the latest active payment decides the user's plan (applied at once). */
  setPlan: adminProcedure
    .input(UserId.extend({ plan: z.string().min(1), amountCents: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      await existingUser(ctx.deps.db, input.userId);
      if (!ctx.deps.config.get().plans.some((p) => p.id === input.plan)) {
        throw invalid(`plan: unknown plan "${input.plan}"`);
      }
      await recordPayment(ctx.deps.db, { userId: input.userId, plan: input.plan, amountCents: input.amountCents ?? null });
      await ctx.deps.port.setUserPlan(input.userId, input.plan);
      return { userId: input.userId, plan: input.plan };
    }),

  /** Changes a plan's limits at runtime: validated whole, stored, and hot-reloaded into the running engine. */
  updatePlan: adminProcedure.input(z.object({ planId: z.string().min(1), patch: PlanPatch })).mutation(async ({ ctx, input }) => {
    const config = await ctx.deps.config.update((draft) => {
      const i = draft.plans.findIndex((p) => p.id === input.planId);
      if (i < 0) throw new ConfigError(`unknown plan "${input.planId}"`, 'planId');
      draft.plans[i] = { ...draft.plans[i]!, ...input.patch };
      return draft;
    });
    return config.plans.find((p) => p.id === input.planId)!;
  }),

  config: adminProcedure.query(({ ctx }) => ctx.deps.config.get()),

  /** After KIE answered 401/402/433 the engine halts submissions; an operator resumes them. */
  resumeProvider: adminProcedure.mutation(async ({ ctx }) => {
    await ctx.deps.port.resumeProvider();
    return ctx.deps.port.status();
  }),

  stats: adminProcedure.query(async ({ ctx }) => ({
    supervisor: await ctx.deps.port.status(),
    providerCalls: await providerCalls(ctx.deps.db),
    sim: ctx.deps.sim ? { url: ctx.deps.sim.url, timeScale: ctx.deps.sim.timeScale, stats: ctx.deps.sim.stats() } : null,
  })),

  /** The monitoring page: metrics history, the seed's failure-rate target, degradation now (provider, users). */
  monitor: adminProcedure.query(({ ctx }) => monitorView(ctx.deps)),
});
