import * as echarts from 'echarts';
import type { RunRecord } from './matrix.ts';

/** Server-side SVG rendering with ECharts (no DOM, no canvas). */
function render(option: echarts.EChartsOption, width = 900, height = 420): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, backgroundColor: '#ffffff', ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** Running tasks over virtual time, one line per strategy. */
export function runningChart(title: string, series: Array<{ name: string; points: Array<[number, number]> }>): string {
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 34 },
    grid: { top: 76, left: 60, right: 30, bottom: 50 },
    xAxis: { type: 'value', name: 'virtual time (s)', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name: 'running tasks' },
    series: series.map((s) => ({ name: s.name, type: 'line', step: 'end', showSymbol: false, data: s.points })),
  });
}

/** Status calls per task by scenario and strategy (grouped bars). */
export function callsChart(runs: RunRecord[], strategies: string[]): string {
  const scenarios = [...new Set(runs.map((r) => r.scenario))].filter((s) => !s.startsWith('scale/'));
  return render(
    {
      title: { text: 'Status calls per task', left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 34 },
      grid: { top: 76, left: 60, right: 30, bottom: 110 },
      xAxis: { type: 'category', data: scenarios, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: 'value', name: 'calls / task' },
      series: strategies.map((id) => ({
        name: id,
        type: 'bar',
        data: scenarios.map((s) => runs.find((r) => r.scenario === s && r.strategy === id)?.metrics.statusCallsPerTask ?? null),
      })),
    },
    1000,
    460,
  );
}

/** The seed table: measured / seed ratio per cell, with the +-10 % band. */
export function seedTableChart(cells: Array<{ plan: string; column: string; ratio: number | null }>): string {
  return render({
    title: { text: 'Seed table reproduced (measured / seed)', left: 'center', textStyle: { fontSize: 14 } },
    grid: { top: 50, left: 60, right: 30, bottom: 80 },
    xAxis: { type: 'category', data: cells.map((c) => `${c.plan} ${c.column}`), axisLabel: { rotate: 25, fontSize: 10 } },
    yAxis: { type: 'value', min: 0.8, max: 1.2 },
    series: [
      {
        type: 'bar',
        data: cells.map((c) => c.ratio),
        markLine: { symbol: 'none', data: [{ yAxis: 0.9 }, { yAxis: 1.0 }, { yAxis: 1.1 }] },
      },
    ],
  });
}
