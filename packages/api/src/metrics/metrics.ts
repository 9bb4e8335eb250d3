import type { FleetConfig } from '@clipfleet/engine';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.ts';
import type { FleetPort } from '../fleet/port.ts';
import { creditTotals, liveTaskCounts } from './queries.ts';

/** A task's class as labels: the seed's classes are model x resolution x duration. */
export const CLASS_LABELS = ['model', 'resolution', 'duration'] as const;
export type ClassLabels = Record<(typeof CLASS_LABELS)[number], string>;

/** Engine durations are engine-clock seconds: real seconds against KIE, simulated seconds under TIME_SCALE. */
const DURATION_BUCKETS = [5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 3600];
const DETECTION_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 60, 120, 300];

export interface MetricsSources {
  db: Db;
  config: () => FleetConfig;
  /** Set once the fleet runs; gauges read from the engine are empty before. */
  fleet: () => FleetPort | undefined;
}

/**
 * Every ClipFleet metric, on its own registry (nothing global: two servers in one test process do not share
 * counters). Counters move from observed events and KIE answers; gauges are read from the engine and the database
 * when scraped, so they are never stale and never derived twice.
 */
export function createMetricSet(sources: MetricsSources) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const status = async () => sources.fleet()?.status();

  return {
    registry,

    tasks: new Gauge({
      name: 'clipfleet_tasks',
      help: 'Tasks of unfinished batches by state and class (from the database).',
      labelNames: ['state', ...CLASS_LABELS],
      registers,
      async collect() {
        this.reset();
        for (const row of await liveTaskCounts(sources.db)) {
          this.set({ state: row.state, model: row.model, resolution: row.resolution, duration: String(row.durationSec) }, row.count);
        }
      },
    }),

    outcomes: new Counter({
      name: 'clipfleet_task_outcomes_total',
      help: 'Tasks that ended, by outcome (succeeded, failed, timedOut, cancelled) and class.',
      labelNames: ['outcome', ...CLASS_LABELS],
      registers,
    }),

    failures: new Counter({
      name: 'clipfleet_task_failures_total',
      help: 'Failed and timed-out tasks by cause (the engine decision for the last error, or timeout) and KIE code.',
      labelNames: ['cause', 'code', ...CLASS_LABELS],
      registers,
    }),

    retries: new Counter({
      name: 'clipfleet_task_retries_total',
      help: 'Retries scheduled, by cause (retry uses the budget; throttle and halt waits do not) and KIE code.',
      labelNames: ['cause', 'code', ...CLASS_LABELS],
      registers,
    }),

    submissions: new Counter({
      name: 'clipfleet_task_submissions_total',
      help: 'Attempts handed to KIE createTask (first attempts and retries).',
      labelNames: ['attempt', ...CLASS_LABELS],
      registers,
    }),

    queueWait: new Histogram({
      name: 'clipfleet_task_queue_wait_seconds',
      help: 'From a task being queued (batch accepted or task re-queued) to its first submission, engine seconds.',
      labelNames: CLASS_LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    }),

    generation: new Histogram({
      name: 'clipfleet_task_generation_seconds',
      help: "KIE's generation time of successful tasks (its completeTime - createTime), engine seconds.",
      labelNames: CLASS_LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    }),

    detection: new Histogram({
      name: 'clipfleet_task_detection_delay_seconds',
      help: 'How long after KIE finished a task ClipFleet noticed it (time since submission - KIE generation time).',
      labelNames: CLASS_LABELS,
      buckets: DETECTION_BUCKETS,
      registers,
    }),

    processing: new Histogram({
      name: 'clipfleet_task_processing_seconds',
      help: 'From queued to succeeded: what a user waits for one video, engine seconds (the seed\'s mean processing time).',
      labelNames: CLASS_LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    }),

    kieCalls: new Counter({
      name: 'clipfleet_kie_calls_total',
      help: 'KIE API calls by endpoint, account and answer code (200 answered; 0 no answer: network, timeout).',
      labelNames: ['endpoint', 'account', 'code'],
      registers,
    }),

    kieThrottles: new Counter({
      name: 'clipfleet_kie_throttles_total',
      help: 'KIE answers asking ClipFleet to slow down (429 rate limit, 455 service unavailable).',
      labelNames: ['endpoint', 'account', 'code'],
      registers,
    }),

    credits: new Counter({
      name: 'clipfleet_credits_total',
      help: 'Credits reserved, charged and refunded (the append-only ledger\'s sums).',
      labelNames: ['kind'],
      registers,
      async collect() {
        // The ledger is the truth and only grows: the counter is set from it, never counted twice.
        this.reset();
        const totals = await creditTotals(sources.db);
        this.inc({ kind: 'reserved' }, totals.reserved);
        this.inc({ kind: 'charged' }, totals.charged);
        this.inc({ kind: 'refunded' }, totals.refunded);
      },
    }),

    userConcurrency: new Gauge({
      name: 'clipfleet_user_concurrency',
      help: "Each user's concurrency level in force (lowered by degradation) and its plan's level.",
      labelNames: ['user', 'plan', 'level'],
      registers,
      async collect() {
        this.reset();
        for (const u of (await status())?.users ?? []) {
          this.set({ user: u.userId, plan: u.plan, level: 'current' }, u.level);
          this.set({ user: u.userId, plan: u.plan, level: 'plan' }, u.planConcurrency);
        }
      },
    }),

    userRunning: new Gauge({
      name: 'clipfleet_user_running_tasks',
      help: "Each user's tasks running at KIE, and the share of the plan's capacity they use (0-1).",
      labelNames: ['user', 'measure'],
      registers,
      async collect() {
        this.reset();
        for (const u of (await status())?.users ?? []) {
          this.set({ user: u.userId, measure: 'tasks' }, u.running);
          this.set({ user: u.userId, measure: 'capacity_used' }, u.capacityUsed);
        }
      },
    }),

    providerLimit: new Gauge({
      name: 'clipfleet_provider_limit',
      help: 'The global cap on running tasks in force (config maxRunning, lowered while KIE struggles) and configured.',
      labelNames: ['level'],
      registers,
      async collect() {
        this.reset();
        const s = await status();
        if (s) this.set({ level: 'current' }, s.providerLimit);
        this.set({ level: 'config' }, sources.config().provider.maxRunning);
      },
    }),

    providerState: new Gauge({
      name: 'clipfleet_provider_state',
      help: 'The provider gate: 1 for the state in force (healthy, throttled, halted).',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const current = (await status())?.provider;
        for (const state of ['healthy', 'throttled', 'halted'] as const) this.set({ state }, current === state ? 1 : 0);
      },
    }),

    rateWindow: new Gauge({
      name: 'clipfleet_create_rate_window',
      help: 'createTask calls in the current rate window, and the window limit.',
      labelNames: ['measure'],
      registers,
      async collect() {
        this.reset();
        const s = await status();
        if (s) this.set({ measure: 'used' }, s.createsInWindow);
        this.set({ measure: 'limit' }, sources.config().provider.createLimit);
      },
    }),

    engineTasks: new Gauge({
      name: 'clipfleet_engine_tasks',
      help: 'Tasks the engine runs at KIE now, and tasks loaded and waiting for a slot.',
      labelNames: ['measure'],
      registers,
      async collect() {
        this.reset();
        const s = await status();
        if (!s) return;
        this.set({ measure: 'running' }, s.running);
        this.set({ measure: 'queued' }, s.queued);
      },
    }),

    sseSubscribers: new Gauge({
      name: 'clipfleet_sse_subscribers',
      help: 'Open SSE streams (live progress, inspector) by tRPC procedure.',
      labelNames: ['procedure'],
      registers,
    }),
  };
}

export type MetricSet = ReturnType<typeof createMetricSet>;

export function classLabels(spec: { model: string; resolution: string; durationSec: number }): ClassLabels {
  return { model: spec.model, resolution: spec.resolution, duration: String(spec.durationSec) };
}
