import type { Registry } from 'prom-client';

/** One point of the monitoring page's charts: cumulative counters and gauges read from the metrics registry. */
export interface MetricsSample {
  /** Wall-clock ms. */
  at: number;
  outcomes: { succeeded: number; failed: number; timedOut: number; cancelled: number };
  kieCalls: number;
  kieThrottles: number;
  credits: { reserved: number; charged: number; refunded: number };
  /** Histogram sums (seconds) and counts: a mean over an interval is Δsum / Δcount. */
  processing: SumCount;
  generation: SumCount;
  detection: SumCount;
  queueWait: SumCount;
  running: number;
  queued: number;
  providerLimit: number;
  sseSubscribers: number;
  /** Event-loop delay p99, seconds. */
  eventLoopLagP99: number;
}

export interface SumCount {
  sum: number;
  count: number;
}

type Values = { value: number; labels: Record<string, string | number>; metricName?: string }[];

/** Reads one sample from the registry: the page charts exactly what /metrics exposes. */
export async function readSample(registry: Registry, at = Date.now()): Promise<MetricsSample> {
  const metrics = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m.values as Values]));
  const values = (name: string) => metrics.get(name) ?? [];
  const total = (name: string, where: Record<string, string> = {}) =>
    values(name)
      .filter((v) => !v.metricName || v.metricName === name)
      .filter((v) => Object.entries(where).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((s, v) => s + v.value, 0);
  const histogram = (name: string): SumCount => ({
    sum: values(name).filter((v) => v.metricName === `${name}_sum`).reduce((s, v) => s + v.value, 0),
    count: values(name).filter((v) => v.metricName === `${name}_count`).reduce((s, v) => s + v.value, 0),
  });
  const outcome = (o: string) => total('clipfleet_task_outcomes_total', { outcome: o });
  return {
    at,
    outcomes: { succeeded: outcome('succeeded'), failed: outcome('failed'), timedOut: outcome('timedOut'), cancelled: outcome('cancelled') },
    kieCalls: total('clipfleet_kie_calls_total'),
    kieThrottles: total('clipfleet_kie_throttles_total'),
    credits: {
      reserved: total('clipfleet_credits_total', { kind: 'reserved' }),
      charged: total('clipfleet_credits_total', { kind: 'charged' }),
      refunded: total('clipfleet_credits_total', { kind: 'refunded' }),
    },
    processing: histogram('clipfleet_task_processing_seconds'),
    generation: histogram('clipfleet_task_generation_seconds'),
    detection: histogram('clipfleet_task_detection_delay_seconds'),
    queueWait: histogram('clipfleet_task_queue_wait_seconds'),
    running: total('clipfleet_engine_tasks', { measure: 'running' }),
    queued: total('clipfleet_engine_tasks', { measure: 'queued' }),
    providerLimit: total('clipfleet_provider_limit', { level: 'current' }),
    sseSubscribers: total('clipfleet_sse_subscribers'),
    eventLoopLagP99: total('nodejs_eventloop_lag_p99_seconds'),
  };
}

/**
 * The last `capacity` samples, taken every `intervalMs` of wall time: the monitoring page opens on an hour of
 * history (360 x 10 s) without a time-series database. Prometheus is the place for longer ones.
 */
export class MetricsHistory {
  private readonly samples: MetricsSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Registry,
    readonly intervalMs: number,
    private readonly capacity = 360,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  list(): MetricsSample[] {
    return [...this.samples];
  }

  private async sample(): Promise<void> {
    try {
      this.samples.push(await readSample(this.registry));
      if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    } catch (err) {
      // A sample lost (e.g. the database closing at shutdown) is a gap in a chart, not an error worth more.
      if (this.timer) console.error('metrics history: sample failed:', (err as Error).message);
    }
  }
}
