import { describe, expect, it } from 'vitest';
import { completionsOption, runningOption, statusCallsOption, strategyColor, type StrategyRun } from './simCharts.ts';

const runs: StrategyRun[] = [
  { strategy: 'naive', statusCallsPerTask: 25.04, running: [{ t: 0, value: 0 }, { t: 60_000, value: 3 }], completions: [{ t: 60_000, value: 1 }] },
  { strategy: 'clipfleet', statusCallsPerTask: 6.46, running: [{ t: 0, value: 0 }, { t: 120_000, value: 2 }], completions: [{ t: 120_000, value: 4 }] },
];

describe('simulation chart options', () => {
  it('overlays one series per strategy in minutes', () => {
    const o = runningOption(runs);
    expect(o.series.map((s) => s.name)).toEqual(['naive', 'clipfleet']);
    expect(o.series[1]!.data).toEqual([[0, 0], [2, 2]]);
    expect(completionsOption(runs).series[0]!.data).toEqual([[1, 1]]);
  });
  it('draws status calls per task as bars, rounded', () => {
    const o = statusCallsOption(runs);
    expect(o.xAxis.data).toEqual(['naive', 'clipfleet']);
    expect(o.series[0]!.data.map((d) => d.value)).toEqual([25, 6.5]);
  });
  it('keeps a stable color per strategy', () => {
    expect(strategyColor('seed', 5)).toBe('#f5a524');
    expect(strategyColor('other', 0)).toBe('#0b68cb');
  });
});
