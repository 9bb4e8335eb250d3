import { invalid } from '../../errors.ts';
import { runScenario, SimRunInput } from '../../simrun/run.ts';
import { protectedProcedure, router } from '../init.ts';

/** Runs are serialised: one simulation at a time per server. */
let running: Promise<unknown> = Promise.resolve();

export const simRouter = router({
  run: protectedProcedure.input(SimRunInput).mutation(async ({ ctx, input }) => {
    const config = ctx.deps.config.get();
    if (input.scenario === 'mixed' && !config.plans.some((p) => p.id === input.plan)) {
      throw invalid(`plan: unknown plan "${input.plan}"`);
    }
    const job = running.then(() => runScenario(input, config));
    running = job.catch(() => {});
    try {
      return await job;
    } catch (err) {
      throw invalid((err as Error).message, err);
    }
  }),
});
