import { chartFrame } from './chartFrame.ts';

/**
 * ECharts options for simulation results, strategies overlaid. Pure data -> option objects (unit-tested);
 * the component only hands them to ECharts.
 */

export interface SeriesPoint {
  t: number;
  value: number;
}

export interface StrategyRun {
  strategy: string;
  /** Running tasks over virtual time (ms since start). */
  running: SeriesPoint[];
  /** Finished tasks over virtual time. */
  completions: SeriesPoint[];
  statusCallsPerTask: number;
}

const COLORS: Record<string, string> = { naive: '#e5484d', seed: '#f5a524', clipfleet: '#5b5bd6', 'clipfleet+callbacks': '#12a594' };
const FALLBACK = ['#0b68cb', '#8e4ec6', '#6b7285'];

export function strategyColor(strategy: string, index: number): string {
  return COLORS[strategy] ?? FALLBACK[index % FALLBACK.length]!;
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;

function base(title: string) {
  return {
    ...chartFrame(title),
    grid: { left: 44, right: 16, top: 70, bottom: 40 },
    xAxis: { type: 'value' as const, name: 'minutes (virtual)', nameLocation: 'middle' as const, nameGap: 26, min: 0 },
    yAxis: { type: 'value' as const, min: 0 },
  };
}

export function runningOption(runs: StrategyRun[]) {
  return {
    ...base('Running tasks over time'),
    series: runs.map((r, i) => ({
      name: r.strategy,
      type: 'line' as const,
      step: 'end' as const,
      showSymbol: false,
      lineStyle: { width: 1.6 },
      color: strategyColor(r.strategy, i),
      data: r.running.map((p) => [minutes(p.t), p.value]),
    })),
  };
}

export function completionsOption(runs: StrategyRun[]) {
  return {
    ...base('Videos delivered over time'),
    series: runs.map((r, i) => ({
      name: r.strategy,
      type: 'line' as const,
      showSymbol: true,
      symbolSize: 6,
      lineStyle: { width: 2 },
      color: strategyColor(r.strategy, i),
      data: r.completions.map((p) => [minutes(p.t), p.value]),
    })),
  };
}

export function statusCallsOption(runs: StrategyRun[]) {
  return {
    animation: false,
    title: { text: 'Status calls per task', left: 0, textStyle: { fontSize: 13, fontWeight: 600 } },
    tooltip: { trigger: 'axis' as const },
    grid: { left: 44, right: 16, top: 64, bottom: 40 },
    xAxis: { type: 'category' as const, data: runs.map((r) => r.strategy) },
    yAxis: { type: 'value' as const, min: 0 },
    series: [
      {
        type: 'bar' as const,
        barMaxWidth: 56,
        label: { show: true, position: 'top' as const },
        data: runs.map((r, i) => ({ value: Math.round(r.statusCallsPerTask * 10) / 10, itemStyle: { color: strategyColor(r.strategy, i) } })),
      },
    ],
  };
}
