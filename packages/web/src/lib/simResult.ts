import type { MeasuredRow } from '../components/sim/SeedComparison.tsx';
import type { StrategyRun } from './simCharts.ts';

/**
 * The contract this page expects from `sim.run` (the simulator's benchmark harness behind a tRPC mutation):
 *
 * input:  { plan, count, share1080, durationSec, latency, faults, strategies, seed? }
 * output: { runs: [{ strategy, metrics: { makespanS, statusCallsPerTask, succeeded, failed, timedOut, ... },
 *                    timeline: [virtual s, running][], completions?: [virtual s, finished][] }] }
 *
 * The answer is checked here rather than trusted, so a different server answers with a clear message.
 */
export interface SimRunInput {
  plan: string;
  count: number;
  share1080: number;
  durationSec: number;
  latency: string;
  faults: string;
  strategies: string[];
  seed?: number;
}

export type SimRun = StrategyRun & MeasuredRow;

type Pair = [number, number];

function isPairs(v: unknown): v is Pair[] {
  return Array.isArray(v) && v.every((p) => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number');
}

function num(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Running and finished counts on one time axis (virtual ms); a missing completions series stays empty. */
function mergeSeries(timeline: Pair[], completions: Pair[] | null): StrategyRun['points'] {
  const times = [...new Set([...timeline.map((p) => p[0]), ...(completions ?? []).map((p) => p[0])])].sort((a, b) => a - b);
  let ri = 0;
  let ci = 0;
  let running = 0;
  let completed = 0;
  return times.map((t) => {
    while (ri < timeline.length && timeline[ri]![0] <= t) running = timeline[ri++]![1];
    while (completions && ci < completions.length && completions[ci]![0] <= t) completed = completions[ci++]![1];
    return { t: t * 1000, running, completed };
  });
}

export class SimResultError extends Error {}

/** The `sim.run` answer as chart series and table rows, one per strategy. */
export function toRuns(result: unknown): SimRun[] {
  const runs = (result as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) throw new SimResultError('the simulator answered without a list of runs');
  return runs.map((raw, i): SimRun => {
    const r = raw as Record<string, unknown>;
    const strategy = typeof r.strategy === 'string' ? r.strategy : `run ${i + 1}`;
    const m = (r.metrics ?? {}) as Record<string, unknown>;
    const timeline = isPairs(r.timeline) ? r.timeline : [];
    const completions = isPairs(r.completions) ? r.completions : null;
    return {
      strategy,
      points: mergeSeries(timeline, completions),
      hasCompletions: completions !== null,
      statusCallsPerTask: num(m, 'statusCallsPerTask'),
      makespanMs: num(m, 'makespanS') * 1000,
      succeeded: num(m, 'succeeded'),
      failed: num(m, 'failed') + num(m, 'timedOut'),
    };
  });
}
