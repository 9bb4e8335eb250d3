import type { FleetConfig } from '@clipfleet/engine';
// The simulator's own benchmark harness: sim.run and `npm run bench` measure the same way.
import { multiUser, parseFaults, runSimulation, seedTableScenario, strategies, type SimulationMetrics } from '@clipfleet/sim';

export const STRATEGY_IDS = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'] as const;

export type SimRunInput =
  | { scenario: 'table'; plan: 'pro' | 'pro_plus'; mix: '720p' | '1080p' | '50:50'; strategy: (typeof STRATEGY_IDS)[number]; seed: number }
  | {
      scenario: 'mixed';
      plan: string;
      users: number;
      tasksPerUser: number;
      latency: 'seed' | 'field';
      faults?: string | undefined;
      strategy: (typeof STRATEGY_IDS)[number];
      seed: number;
    };

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
