import type { RouterOutputs } from '../utils/trpc.ts';
import type { StrategyRun } from './simCharts.ts';

/** One `sim.run` answer (one strategy on one scenario), as the server declares it. */
export type SimAnswer = RouterOutputs['sim']['run'];

/** The metrics the charts and tables read. */
export type SimMetrics = Pick<
  SimAnswer['metrics'],
  'tasks' | 'succeeded' | 'failed' | 'timedOut' | 'makespanS' | 'firstResultS' | 'halfResultsS' | 'allResultsS' | 'fastPartDoneS' | 'statusCallsPerTask'
>;

/** One strategy's row in the measured table. */
export interface MeasuredRow {
  strategy: string;
  makespanMs: number | null;
  fastPartDoneMs: number | null;
  statusCallsPerTask: number;
  succeeded: number;
  failed: number;
}

export type SimRun = StrategyRun & MeasuredRow & { fastPartDoneMs: number | null; title: string };

/**
 * Completions over time from the milestones the simulator reports (first result, half of the results, all of
 * them): a coarse but measured curve; the simulator does not send every completion time.
 */
export function completionMilestones(m: SimMetrics): Array<{ t: number; completed: number }> {
  const out: Array<{ t: number; completed: number }> = [{ t: 0, completed: 0 }];
  if (m.firstResultS !== null) out.push({ t: m.firstResultS * 1000, completed: 1 });
  if (m.halfResultsS !== null) out.push({ t: m.halfResultsS * 1000, completed: Math.ceil(m.tasks / 2) });
  if (m.allResultsS !== null) out.push({ t: m.allResultsS * 1000, completed: m.tasks });
  else if (m.makespanS !== null) out.push({ t: m.makespanS * 1000, completed: m.succeeded });
  return out.filter((p, i, a) => i === 0 || p.t >= a[i - 1]!.t);
}

/** One `sim.run` answer as chart series and a table row. */
export function toRun(answer: Pick<SimAnswer, 'title' | 'strategy' | 'timeline'> & { metrics: SimMetrics }): SimRun {
  const m = answer.metrics;
  return {
    strategy: answer.strategy,
    title: answer.title,
    running: answer.timeline.map(([s, n]) => ({ t: s * 1000, value: n })),
    completions: completionMilestones(m).map((p) => ({ t: p.t, value: p.completed })),
    statusCallsPerTask: m.statusCallsPerTask,
    makespanMs: m.makespanS === null ? null : m.makespanS * 1000,
    fastPartDoneMs: m.fastPartDoneS === null ? null : m.fastPartDoneS * 1000,
    succeeded: m.succeeded,
    failed: m.failed + m.timedOut,
  };
}
