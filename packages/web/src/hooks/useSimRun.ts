import { useMutation } from '@tanstack/react-query';
import { toRuns, type SimRun, type SimRunInput } from '../lib/simResult.ts';
import { useTRPCClient } from '../utils/trpc.ts';

/** The slice of the client this page calls; `sim.run` is reached by name and its answer checked by `toRuns`. */
interface SimClient {
  sim: { run: { mutate(input: SimRunInput): Promise<unknown> } };
}

export interface SimRunOutcome {
  input: SimRunInput;
  runs: SimRun[];
}

/** Runs one simulation scenario on the server (`sim.run`) and shapes the answer for the charts. */
export function useSimRun() {
  const client = useTRPCClient() as unknown as SimClient;
  return useMutation({
    mutationKey: ['sim', 'run'],
    mutationFn: async (input: SimRunInput): Promise<SimRunOutcome> => ({ input, runs: toRuns(await client.sim.run.mutate(input)) }),
  });
}
