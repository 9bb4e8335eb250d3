import { performance } from 'node:perf_hooks';
import type { CallbackListener } from '../callbacks.ts';
import type { ProviderFamily } from '@clipfleet/engine';
import { SimKie, type CreateHints, type SimClock, type SimKieOptions } from '../core.ts';

/**
 * Wall time spent inside metered spans (nested spans count once). performance.now() costs about 0.1 us and
 * process.cpuUsage() about 2 us (a syscall): at several calls per task only the first is cheap enough, so the
 * spans are timed on the wall clock and the run's CPU is split in proportion (see SimulationPerf.simCpuMs).
 */
export class SpanMeter {
  ms = 0;
  spans = 0;
  private depth = 0;
  private since = 0;

  enter(): void {
    if (this.depth++ > 0) return;
    this.spans++;
    this.since = performance.now();
  }

  exit(): void {
    if (--this.depth === 0) this.ms += performance.now() - this.since;
  }

  /** Runs `work` inside a span. */
  time<T>(work: () => T): T {
    this.enter();
    try {
      return work();
    } finally {
      this.exit();
    }
  }
}

/**
 * The simulated KIE with its own work metered: its createTask and record-info answers, and its timers (the
 * callbacks it sends), minus what the receivers of a callback do with it (the gateway's conversion and the
 * engine's handling are not the provider's). What remains of the run is the engine's, the gateway adapter's
 * (the work a real client does too), the virtual clock's and the benchmark's.
 */
export class MeteredSimKie extends SimKie {
  constructor(
    options: SimKieOptions,
    private readonly meter: SpanMeter,
  ) {
    super({ ...options, clock: meteredClock(options.clock, meter) });
  }

  override createTask(apiKey: string | undefined, rawBody: unknown, hints?: CreateHints, family?: ProviderFamily): ReturnType<SimKie['createTask']> {
    return this.meter.time(() => super.createTask(apiKey, rawBody, hints, family));
  }

  override recordInfo(apiKey: string | undefined, taskId: string | undefined): ReturnType<SimKie['recordInfo']> {
    return this.meter.time(() => super.recordInfo(apiKey, taskId));
  }

  override veoRecordInfo(apiKey: string | undefined, taskId: string | undefined): ReturnType<SimKie['veoRecordInfo']> {
    return this.meter.time(() => super.veoRecordInfo(apiKey, taskId));
  }

  override onCallback(listener: CallbackListener): () => void {
    const meter = this.meter;
    return super.onCallback((job, body) => {
      // Delivered from a metered timer: the receiver's work is paused out of the provider's span.
      meter.exit();
      try {
        listener(job, body);
      } finally {
        meter.enter();
      }
    });
  }
}

/** The clock the provider schedules its callbacks on, each timer's work metered. */
function meteredClock(clock: SimClock, meter: SpanMeter): SimClock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(() => meter.time(fn), ms),
  };
}

/**
 * What `spans` metered spans cost, in CPU ms. A span's cost is a constant of the process: timed once, at the first
 * run's end, as the cheapest of a few rounds (process CPU also counts V8's helper threads sweeping what a run
 * left, which would inflate a single round).
 */
export function meterOverheadMs(spans: number): number {
  spanCostMs ??= timeSpanCostMs();
  return spanCostMs * spans;
}

let spanCostMs: number | undefined;

function timeSpanCostMs(): number {
  const probe = new SpanMeter();
  const n = 20_000;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) probe.time(() => i);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / n);
  }
  return best;
}
