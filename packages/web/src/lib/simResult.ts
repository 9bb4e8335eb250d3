import type { MeasuredRow } from '../components/sim/SeedComparison.tsx';
import type { StrategyRun } from './simCharts.ts';

export type SimRun = StrategyRun & MeasuredRow;

/** The `sim.run` answer as chart series and table rows, one per strategy. */
export function toRuns(result: { runs: SimRun[] }): SimRun[] {
  return result.runs;
}
