import type { FleetConfig } from '@clipfleet/engine';
import { z } from 'zod';
// The simulator's own benchmark harness: sim.run and `npm run bench` measure the same way.
import { multiUser, parseFaults, runSimulation, seedTableScenario, strategies, type SimulationMetrics } from '@clipfleet/sim';

const STRATEGY_IDS = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'] as const;
const Strategy = z.enum(STRATEGY_IDS).default('clipfleet');
const Seed = z.number().int().min(0).max(2 ** 31).default(1);

/** What `sim.run` accepts: a seed-table cell, or a mixed multi-user scenario. */
export const SimRunInput = z.discriminatedUnion('scenario', [
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

export type SimRunInput = z.infer<typeof SimRunInput>;

export interface SimRunResult {
  title: string;
  strategy: string;
  metrics: SimulationMetrics;
  /** [virtual seconds, running tasks], downsampled: the chart of the run. */
  timeline: Array<[number, number]>;
}

/** One benchmark scenario in virtual time (no wall-clock waiting): metrics and a time series for charts. */
export async function runScenario(input: SimRunInput, base: FleetConfig): Promise<SimRunResult> {
  const strategy = strategies(base).find((s) => s.id === input.strategy)!;
  if (input.scenario === 'table') {
    const sc = seedTableScenario(input.plan, input.mix);
    const result = await runSimulation({ seed: input.seed, config: strategy.config, userPlans: sc.userPlans, batches: sc.batches, latency: sc.latency, timeline: true });
    return { title: sc.title, strategy: strategy.id, ...result };
  }
  if (input.faults) parseFaults(input.faults); // throws naming the bad part before any work
  const { userPlans, batches } = multiUser(input.seed, 'run', input.users, input.tasksPerUser, input.plan);
  const result = await runSimulation({
    seed: input.seed,
    config: strategy.config,
    userPlans,
    batches,
    latency: input.latency,
    ...(input.faults ? { faults: input.faults } : {}),
    timeline: true,
    maxSimMs: 48 * 3600_000,
  });
  return {
    title: `${input.users} user(s) x ${input.tasksPerUser} mixed, ${input.plan}, ${input.latency} latency${input.faults ? `, faults ${input.faults}` : ''}`,
    strategy: strategy.id,
    ...result,
  };
}
