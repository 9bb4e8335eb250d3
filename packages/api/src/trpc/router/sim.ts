import { z } from 'zod';
import { invalid } from '../../errors.ts';
import { runScenario, STRATEGY_IDS } from '../../simrun/run.ts';
import { protectedProcedure, router } from '../init.ts';

const Strategy = z.enum(STRATEGY_IDS).default('clipfleet');
const Seed = z.number().int().min(0).max(2 ** 31).default(1);

const SimRunInput = z.discriminatedUnion('scenario', [
  z.object({ scenario: z.literal('table'), plan: z.enum(['pro', 'pro_plus']).default('pro'), mix: z.enum(['720p', '1080p', '50:50']).default('720p'), strategy: Strategy, seed: Seed }),
  z.object({
    scenario: z.literal('mixed'),
    plan: z.string().min(1).default('pro_plus'),
    users: z.number().int().min(1).max(10).default(1),
    // bounded: the run is CPU work on the server's event loop
    tasksPerUser: z.number().int().min(1).max(300).default(100),
    latency: z.enum(['seed', 'field']).default('seed'),
    faults: z.string().max(200).optional(),
    strategy: Strategy,
    seed: Seed,
  }),
]);

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
