import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, type ReactNode } from 'react';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

/** One ECharts instance bound to a div; follows the option and the container's size. */
export function EChart({ option, label, testId }: { option: EChartsCoreOption; label: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    const instance = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testId} />;
}

/** A chart in a card, with an optional note under it. */
export function ChartCard({ children, ...chart }: { option: EChartsCoreOption; label: string; testId?: string; children?: ReactNode }) {
  return (
    <section className="card">
      <div className="card-body">
        <EChart {...chart} />
        {children}
      </div>
    </section>
  );
}
