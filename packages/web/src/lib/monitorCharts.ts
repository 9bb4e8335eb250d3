import type { RouterOutputs } from '../utils/trpc.ts';
import { chartFrame } from './chartFrame.ts';

/**
 * The monitoring page's figures from the server's metric samples (cumulative counters read from /metrics'
 * registry): rates and means over a trailing window, then ECharts options. Pure, unit-tested.
 */

export type MonitorView = RouterOutputs['admin']['monitor'];
export type Sample = MonitorView['samples'][number];

/** One chart point: wall time (ms) and a value, or null where the window saw nothing to measure. */
export type Point = [number, number | null];

export interface MonitorSeries {
  failureRate: Point[];
  meanProcessingSec: Point[];
  meanGenerationSec: Point[];
  meanDetectionSec: Point[];
  kieCallsPerMin: Point[];
  throttlesPerMin: Point[];
  creditsChargedPerMin: Point[];
  creditsRefundedPerMin: Point[];
  running: Point[];
  providerLimit: Point[];
}

/** Samples each point looks back over: at the default 10 s sampling, one minute. */
export const WINDOW = 6;

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

export function monitorSeries(samples: Sample[], window = WINDOW): MonitorSeries {
  const out: MonitorSeries = {
    failureRate: [],
    meanProcessingSec: [],
    meanGenerationSec: [],
    meanDetectionSec: [],
    kieCallsPerMin: [],
    throttlesPerMin: [],
    creditsChargedPerMin: [],
    creditsRefundedPerMin: [],
    running: [],
    providerLimit: [],
  };
  samples.forEach((s, i) => {
    const from = samples[Math.max(0, i - window)]!;
    const minutes = (s.at - from.at) / 60_000;
    const perMin = (d: number): number | null => (minutes > 0 ? round(d / minutes) : null);
    const failedNow = s.outcomes.failed + s.outcomes.timedOut;
    const failedThen = from.outcomes.failed + from.outcomes.timedOut;
    const ended = failedNow + s.outcomes.succeeded - (failedThen + from.outcomes.succeeded);
    const mean = (now: { sum: number; count: number }, then: { sum: number; count: number }) =>
      now.count > then.count ? round((now.sum - then.sum) / (now.count - then.count), 1) : null;
    out.failureRate.push([s.at, ended > 0 ? round((failedNow - failedThen) / ended, 4) : null]);
    out.meanProcessingSec.push([s.at, mean(s.processing, from.processing)]);
    out.meanGenerationSec.push([s.at, mean(s.generation, from.generation)]);
    out.meanDetectionSec.push([s.at, mean(s.detection, from.detection)]);
    out.kieCallsPerMin.push([s.at, perMin(s.kieCalls - from.kieCalls)]);
    out.throttlesPerMin.push([s.at, perMin(s.kieThrottles - from.kieThrottles)]);
    out.creditsChargedPerMin.push([s.at, perMin(s.credits.charged - from.credits.charged)]);
    out.creditsRefundedPerMin.push([s.at, perMin(s.credits.refunded - from.credits.refunded)]);
    out.running.push([s.at, s.running]);
    out.providerLimit.push([s.at, s.providerLimit]);
  });
  return out;
}

function base(title: string) {
  return {
    ...chartFrame(title),
    grid: { left: 52, right: 20, top: 70, bottom: 36 },
    xAxis: { type: 'time' as const, splitNumber: 4, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value' as const, min: 0 },
  };
}

function line<E extends object = object>(name: string, color: string, data: Point[], extra: E = {} as E) {
  return Object.assign({ name, type: 'line' as const, showSymbol: false, connectNulls: false, lineStyle: { width: 1.8 }, color, data }, extra);
}

/** Failure rate (failed and timed out over all that ended in the window), with the seed's target drawn. */
export function failureRateOption(series: MonitorSeries, target: number) {
  const worst = Math.max(target, ...series.failureRate.map(([, v]) => v ?? 0));
  return {
    ...base('Failure rate'),
    yAxis: { type: 'value' as const, min: 0, max: Math.min(1, Math.ceil((worst * 1.25) * 20) / 20), axisLabel: { formatter: (v: number) => `${Math.round(v * 100)} %` } },
    series: [
      line('failure rate', '#e5484d', series.failureRate, {
        markLine: {
          symbol: 'none',
          silent: true,
          lineStyle: { type: 'dashed' as const, color: '#f5a524', width: 1.5 },
          label: { formatter: `seed target ${Math.round(target * 100)} %`, position: 'insideEndTop' as const },
          data: [{ yAxis: target }],
        },
      }),
    ],
  };
}

export function processingOption(series: MonitorSeries) {
  return {
    ...base('Mean processing time (s)'),
    series: [
      line('queued → done', '#5b5bd6', series.meanProcessingSec),
      line('KIE generation', '#12a594', series.meanGenerationSec),
      line('detection delay', '#8e4ec6', series.meanDetectionSec),
    ],
  };
}

export function kieCallsOption(series: MonitorSeries) {
  return {
    ...base('KIE API calls per minute'),
    series: [line('calls', '#0b68cb', series.kieCallsPerMin), line('429/455 throttles', '#e5484d', series.throttlesPerMin)],
  };
}

export function creditsOption(series: MonitorSeries) {
  return {
    ...base('Credit burn (credits per minute)'),
    series: [line('charged', '#f5a524', series.creditsChargedPerMin), line('refunded', '#6b7285', series.creditsRefundedPerMin)],
  };
}

export function concurrencyOption(series: MonitorSeries) {
  return {
    ...base('Tasks running at KIE'),
    series: [line('running', '#5b5bd6', series.running, { step: 'end' }), line('provider limit', '#e5484d', series.providerLimit, { step: 'end', lineStyle: { width: 1.2, type: 'dashed' } })],
  };
}
