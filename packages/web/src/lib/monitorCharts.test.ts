import { describe, expect, it } from 'vitest';
import { failureRateOption, monitorSeries, type Sample } from './monitorCharts.ts';

function sample(at: number, o: Partial<{ succeeded: number; failed: number; timedOut: number; calls: number; charged: number; processing: [number, number] }>): Sample {
  const hist = (sum = 0, count = 0) => ({ sum, count });
  return {
    at,
    outcomes: { succeeded: o.succeeded ?? 0, failed: o.failed ?? 0, timedOut: o.timedOut ?? 0, cancelled: 0 },
    kieCalls: o.calls ?? 0,
    kieThrottles: 0,
    credits: { reserved: 0, charged: o.charged ?? 0, refunded: 0 },
    processing: hist(...(o.processing ?? [0, 0])),
    generation: hist(),
    detection: hist(),
    queueWait: hist(),
    running: 2,
    queued: 0,
    providerLimit: 20,
    sseSubscribers: 0,
    eventLoopLagP99: 0,
  };
}

describe('monitorSeries', () => {
  const samples = [
    sample(0, {}),
    sample(10_000, { succeeded: 9, failed: 1, calls: 30, charged: 150, processing: [900, 9] }),
    sample(20_000, { succeeded: 9, failed: 1, calls: 30, charged: 150, processing: [900, 9] }),
    sample(30_000, { succeeded: 12, failed: 4, timedOut: 2, calls: 60, charged: 195, processing: [1260, 12] }),
  ];

  it('rates and means over the trailing window of cumulative counters', () => {
    const s = monitorSeries(samples, 1);
    expect(s.failureRate.map(([, v]) => v)).toEqual([null, 0.1, null, 0.625]); // (3 + 2) / (3 + 3 + 2)
    expect(s.kieCallsPerMin.map(([, v]) => v)).toEqual([null, 180, 0, 180]);
    expect(s.creditsChargedPerMin[3]).toEqual([30_000, 270]);
    expect(s.meanProcessingSec.map(([, v]) => v)).toEqual([null, 100, null, 120]);
  });

  it('looks back over the whole window when it has the samples', () => {
    const s = monitorSeries(samples, 3);
    expect(s.failureRate[3]).toEqual([30_000, 0.3333]); // 7 failed of 21 ended since t=0
  });

  it('draws the seed target as a line on the failure-rate chart', () => {
    const option = failureRateOption(monitorSeries(samples, 1), 0.1);
    expect(option.series[0]!.markLine.data).toEqual([{ yAxis: 0.1 }]);
    expect(option.series[0]!.markLine.label.formatter).toBe('seed target 10 %');
    expect(option.yAxis.max).toBeGreaterThanOrEqual(0.625);
  });
});
