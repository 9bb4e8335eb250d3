import { useMutation } from '@tanstack/react-query';
import type { SimSettings } from '../components/sim/SimForm.tsx';
import { toRun, type SimRun } from '../lib/simResult.ts';
import { useTRPCClient, type RouterInputs } from '../utils/trpc.ts';

export interface SimRunOutcome {
  settings: SimSettings;
  runs: SimRun[];
}

type SimRunInput = RouterInputs['sim']['run'];

function inputFor(s: SimSettings, strategy: SimRunInput['strategy']): SimRunInput {
  if (s.scenario === 'table') return { scenario: 'table', plan: s.plan as 'pro' | 'pro_plus', mix: s.mix, strategy, seed: s.seed };
  return {
    scenario: 'mixed',
    plan: s.plan,
    users: s.users,
    tasksPerUser: s.tasksPerUser,
    latency: s.latency,
    ...(s.faults !== 'none' ? { faults: s.faults } : {}),
    strategy,
    seed: s.seed,
  };
}

/** Runs the scenario once per strategy (`sim.run` simulates one strategy per call, in virtual time). */
export function useSimRun() {
  const client = useTRPCClient();
  return useMutation({
    mutationKey: ['sim', 'run'],
    mutationFn: async (settings: SimSettings): Promise<SimRunOutcome> => {
      const runs: SimRun[] = [];
      for (const strategy of settings.strategies) {
        runs.push(toRun(await client.sim.run.mutate(inputFor(settings, strategy as SimRunInput['strategy']))));
      }
      return { settings, runs };
    },
  });
}
