import type { EngineClock, KieGateway } from '@clipfleet/engine';
import type { FleetPort } from '../fleet/port.ts';
import { meteredGateway } from './gateway.ts';
import { MetricsHistory } from './history.ts';
import { createMetricSet, type MetricSet, type MetricsSources } from './metrics.ts';
import { MetricsObserver } from './observer.ts';

/** The seed's monitoring target: the failure rate should stay below 10 %. */
export const FAILURE_RATE_TARGET = 0.1;

export interface LevelChange {
  from: number;
  to: number;
  reason: 'degraded' | 'recovered' | 'config';
  /** Wall-clock ms the change was seen. */
  at: number;
}

/** The server's metrics: the Prometheus registry, what feeds it, and the history behind the monitoring page. */
export class Metrics {
  readonly set: MetricSet;
  readonly history: MetricsHistory;
  private readonly observer: MetricsObserver;
  private fleet: FleetPort | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The last level change of each user and of the provider cap, for "degraded since". */
  readonly lastUserChange = new Map<string, LevelChange>();
  lastProviderChange: LevelChange | undefined;

  constructor(sources: Omit<MetricsSources, 'fleet'>, opts: { historyIntervalMs?: number } = {}) {
    this.set = createMetricSet({ ...sources, fleet: () => this.fleet });
    this.observer = new MetricsObserver(sources.db, this.set);
    this.history = new MetricsHistory(this.set.registry, opts.historyIntervalMs ?? 10_000);
  }

  /** Wraps the raw KIE gateway: calls, answer codes and job timings. */
  gateway(inner: KieGateway, clock: EngineClock): KieGateway {
    return meteredGateway(inner, this.set, clock);
  }

  /** Starts observing the fleet's committed events (this process's, or fanned in), and sampling the history. */
  attach(fleet: FleetPort): void {
    this.fleet = fleet;
    this.unsubscribe = fleet.bus.subscribeAll((event) => {
      this.observer.observe(event);
      if (event.type === 'concurrency.changed') this.lastUserChange.set(event.userId, { from: event.from, to: event.to, reason: event.reason, at: Date.now() });
      if (event.type === 'provider.limitChanged') this.lastProviderChange = { from: event.from, to: event.to, reason: event.reason, at: Date.now() };
    });
    this.history.start();
  }

  detach(): void {
    this.unsubscribe?.();
    this.history.stop();
  }

  /** Every event published so far is counted. */
  settled(): Promise<void> {
    return this.observer.settled();
  }

  get contentType(): string {
    return this.set.registry.contentType;
  }

  async render(): Promise<string> {
    await this.settled();
    return this.set.registry.metrics();
  }
}
