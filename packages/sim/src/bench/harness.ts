import { performance } from 'node:perf_hooks';
import {
  calculateActualConcurrency,
  createSupervisor,
  getBatchConfig,
  type BatchInput,
  type EngineEvent,
  type FleetConfig,
  type KieGateway,
} from '@clipfleet/engine';
import { DiscreteEventClock } from '../clock.ts';
import { SimGateway } from '../gateway.ts';
import type { FaultSpec } from '../profiles/faults.ts';
import type { LatencyProfileName } from '../profiles/latency.ts';
import { randomSource } from '../rng.ts';
import { MeteredSimKie, meterOverheadMs, SpanMeter } from './meter.ts';
import { TaskTracks } from './tracks.ts';
import { mean, percentile, round } from './stats.ts';

export interface SimulationInput {
  seed: number;
  config: FleetConfig;
  userPlans: Record<string, string>;
  batches: BatchInput[];
  latency: LatencyProfileName;
  faults?: FaultSpec;
  /** Virtual-time guard: the run stops here even if tasks are still open (e.g. a provider halted for good). */
  maxSimMs?: number;
  /** Keep a downsampled timeline of running tasks (for charts). */
  timeline?: boolean;
}

/** Everything measured in one run; times are virtual seconds unless named otherwise. */
export interface SimulationMetrics {
  tasks: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  /** Tasks still open when the run stopped (only when the guard time was hit). */
  unfinished: number;
  makespanS: number | null;
  firstResultS: number | null;
  halfResultsS: number | null;
  allResultsS: number | null;
  /** Time when every 720p task (the seed's "fast part") had ended. */
  fastPartDoneS: number | null;
  /** Capacity lower bound on the makespan from the run's own generation times. */
  lowerBoundS: number;
  makespanOverLowerBound: number | null;
  statusCallsPerTask: number;
  createCallsPerTask: number;
  detectionDelayMeanS: number | null;
  detectionDelayP95S: number | null;
  successRate: number;
  /** Of the tasks that needed at least one retry (consuming an attempt), the share that succeeded. */
  retrySuccessRate: number | null;
  retriedTasks: number;
  /** Of the retry attempts scheduled (attempts beyond the first, 429/455 waits excluded), the share that succeeded. */
  retryAttemptSuccessRate: number | null;
  retryAttempts: number;
  /** Credits KIE billed for videos the engine never delivered (results of timed-out/abandoned attempts). */
  creditsWasted: number;
  creditsBilled: number;
  peakRunning: number;
  /** Most tasks the plans allow at once (sum over users of their largest class concurrency). */
  runningLimit: number;
  /** Most jobs running at KIE at once (includes jobs the engine gave up on but KIE kept generating). */
  peakRemoteRunning: number;
  engineEvents: number;
  timerFirings: number;
  callbacksLost: number;
  concurrencyChanges: number;
}

/** Wall-clock measurements: they vary between runs, so they live apart from the reproducible metrics. */
export interface SimulationPerf {
  wallMs: number;
  /** CPU time (user + system) of this process during the run: fairer than wall time on a shared machine. */
  cpuMs: number;
  eventsPerSecond: number;
  /** Engine + simulator cost per task: CPU ms per task. */
  cpuMsPerTask: number;
  /**
   * The simulated KIE's part of cpuMsPerTask: the run's CPU times the share of its wall time spent inside the
   * provider's own code (its answers and callback timers, metered by MeteredSimKie). A share of wall time is a fair
   * share of CPU as long as the process is preempted alike in and out of the provider, as a busy machine does.
   */
  simCpuMsPerTask: number;
  /** What is left per task for the engine, the gateway adapter, the virtual clock and the benchmark's bookkeeping. */
  engineCpuMsPerTask: number;
  /** The metering's own cost (CPU ms, in cpuMs and counted on the engine's side). */
  meterOverheadMs: number;
  wallMsPerTask: number;
}

export interface SimulationResult {
  metrics: SimulationMetrics;
  perf: SimulationPerf;
  /** [virtual s, running tasks], downsampled. */
  timeline: Array<[number, number]>;
}

/** Which count each way of ending adds to. */
const END_COUNTS = { 'task.succeeded': 'succeeded', 'task.failed': 'failed', 'task.timedOut': 'timedOut', 'task.cancelled': 'cancelled' } as const;

/**
 * The config's KIE accounts as simulated ones, each with its own key (and window at the simulator): the engine
 * spreads the creates over them and asks each job's status of the account that created it.
 */
function accountGateway(byId: Map<string, SimGateway>): KieGateway {
  const of = (accountId: string | undefined) => byId.get(accountId ?? '') ?? [...byId.values()][0]!;
  return {
    createTask: (req) => of(req.accountId).createTask(req),
    getTask: (remoteTaskId, task, accountId) => of(accountId).getTask(remoteTaskId, task),
  };
}

/** Runs one batch set through the real engine supervisor against the simulator, in virtual time. */
export async function runSimulation(input: SimulationInput): Promise<SimulationResult> {
  const clock = new DiscreteEventClock();
  const accountIds = input.config.provider.accounts.map((a) => a.id);
  const apiKeys = accountIds.map((_, i) => (i === 0 ? 'sim-key' : `sim-key-${i}`));
  const meter = new SpanMeter();
  const core = new MeteredSimKie({ clock, seed: input.seed, latency: input.latency, apiKeys, ...(input.faults !== undefined ? { faults: input.faults } : {}) }, meter);
  const accounts = apiKeys.map((apiKey) => new SimGateway(core, { apiKey, callbacks: input.config.provider.callbacks }));
  const gateway = accounts.length === 1 ? accounts[0]! : accountGateway(new Map(accountIds.map((id, i) => [id, accounts[i]!])));

  const tracks = new TaskTracks(input.batches);
  const total = tracks.size;
  // Ends come in time order: the first, the middle and the last success time are all the metrics need.
  let successes = 0;
  let firstSuccessAt: number | undefined;
  let halfSuccessAt: number | undefined;
  let lastSuccessAt: number | undefined;
  let creditsDelivered = 0;
  const detection: number[] = [];
  const timeline: Array<[number, number]> = [];
  // One point per instant (the last value): an end and the next admission at the same instant are no dip.
  const mark = (at: number) => {
    const last = timeline[timeline.length - 1];
    if (last && last[0] === at) last[1] = running;
    else timeline.push([at, running]);
  };
  let ended = 0;
  let running = 0;
  let peakRunning = 0;
  let lastEndAt = 0;
  let events = 0;
  let concurrencyChanges = 0;
  let retryAttempts = 0;
  let retryAttemptsOk = 0;
  let fastOpen = tracks.fastCount();
  let fastDoneAt: number | null = null;
  const counts = { succeeded: 0, failed: 0, timedOut: 0, cancelled: 0 };

  const onEvent = (e: EngineEvent) => {
    events++;
    switch (e.type) {
      case 'task.admitted':
      case 'task.resumed':
        running++;
        if (running > peakRunning) peakRunning = running;
        if (input.timeline) mark(e.at);
        return;
      case 'task.paused':
        running--;
        return;
      case 'task.submitted':
        tracks.submitted(tracks.slot(e.taskId), e.remoteTaskId);
        return;
      case 'task.retryScheduled':
        if (e.consumesAttempt) {
          tracks.markRetried(tracks.slot(e.taskId));
          retryAttempts++;
        }
        return;
      case 'concurrency.changed':
        concurrencyChanges++;
        return;
      case 'task.succeeded':
      case 'task.failed':
      case 'task.timedOut':
      case 'task.cancelled': {
        running--;
        ended++;
        lastEndAt = e.at;
        if (input.timeline) mark(e.at);
        counts[END_COUNTS[e.type]]++;
        const slot = tracks.slot(e.taskId);
        if (tracks.isFast(slot) && --fastOpen === 0) fastDoneAt = e.at;
        const remoteId = e.type === 'task.succeeded' ? e.remoteTaskId : tracks.lastRemoteId(slot);
        const remote = remoteId ? core.task(remoteId) : undefined;
        if (e.type === 'task.succeeded') {
          if (tracks.isRetried(slot)) retryAttemptsOk++;
          tracks.markSucceeded(slot);
          if (lastSuccessAt !== undefined && e.at < lastSuccessAt) throw new Error('engine events out of time order');
          successes++;
          firstSuccessAt ??= e.at;
          if (successes === Math.ceil(total / 2)) halfSuccessAt = e.at;
          lastSuccessAt = e.at;
          // A task succeeds once, with its own job: what KIE billed for it was delivered.
          if (remote?.outcome.kind === 'success') creditsDelivered += remote.credits;
        }
        // Detection delay: remote finish -> engine noticed, for ends caused by the remote outcome.
        if ((e.type === 'task.succeeded' || (e.type === 'task.failed' && e.code === 501)) && remote && remote.completeAt <= e.at) {
          detection.push(e.at - remote.completeAt);
        }
        return;
      }
      default:
        return;
    }
  };

  const supervisor = createSupervisor({
    clock,
    gateway,
    config: input.config,
    userPlans: input.userPlans,
    random: randomSource(input.seed, 'engine/jitter'),
    onEvent,
  });
  for (const account of accounts) account.onCallback((remoteTaskId, status) => supervisor.deliverCallback(remoteTaskId, status));

  const maxSimMs = input.maxSimMs ?? 7 * 24 * 3600_000;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (const batch of input.batches) supervisor.addBatch(batch);
  // In process, the engine and the gateway only chain promises: nothing to wait for but microtasks.
  await clock.runUntil(() => ended >= total || clock.now() >= maxSimMs, { settleWith: 'microtasks' });
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const simCpuMs = wallMs > 0 ? (cpuMs * meter.ms) / wallMs : 0;
  supervisor.stop();

  const totals = core.totals();
  let statusCalls = 0;
  let createCalls = 0;
  let billed = 0;
  for (const a of Object.values(totals.accounts)) {
    statusCalls += a.queryCalls;
    createCalls += a.createCalls;
  }
  for (const t of core.tasks()) {
    if (t.outcome.kind !== 'success') continue;
    billed += t.credits;
    tracks.setDuration(t.key.slice(0, t.key.lastIndexOf('#')), t.completeAt - t.createdAt);
  }
  const { retried, succeeded: retriedOk } = tracks.retried();
  const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : round(ms / 1000, 1));
  const lowerBoundMs = capacityLowerBound(input, (taskId) => tracks.duration(taskId));
  const makespan = ended >= total ? lastEndAt : null;
  const metrics: SimulationMetrics = {
    tasks: total,
    ...counts,
    unfinished: total - ended,
    makespanS: s(makespan),
    firstResultS: s(firstSuccessAt),
    halfResultsS: s(halfSuccessAt),
    allResultsS: counts.succeeded === total ? s(lastSuccessAt) : null,
    fastPartDoneS: s(fastDoneAt),
    lowerBoundS: s(lowerBoundMs)!,
    makespanOverLowerBound: makespan !== null && lowerBoundMs > 0 ? round(makespan / lowerBoundMs, 4) : null,
    statusCallsPerTask: round(statusCalls / total, 3)!,
    createCallsPerTask: round(createCalls / total, 3)!,
    detectionDelayMeanS: s(mean(detection)),
    detectionDelayP95S: s(percentile(detection, 95)),
    successRate: round(counts.succeeded / total, 4)!,
    retrySuccessRate: retried > 0 ? round(retriedOk / retried, 4) : null,
    retriedTasks: retried,
    retryAttemptSuccessRate: retryAttempts > 0 ? round(retryAttemptsOk / retryAttempts, 4) : null,
    retryAttempts,
    creditsWasted: billed - creditsDelivered,
    creditsBilled: billed,
    peakRunning,
    runningLimit: runningLimit(input),
    peakRemoteRunning: totals.peakRunning,
    engineEvents: events,
    timerFirings: clock.fired,
    callbacksLost: totals.callbacksLost,
    concurrencyChanges,
  };
  const perf: SimulationPerf = {
    wallMs: round(wallMs, 1)!,
    cpuMs: round(cpuMs, 1)!,
    eventsPerSecond: Math.round(events / Math.max(wallMs / 1000, 1e-6)),
    cpuMsPerTask: round(cpuMs / total, 4)!,
    simCpuMsPerTask: round(simCpuMs / total, 4)!,
    engineCpuMsPerTask: round((cpuMs - simCpuMs) / total, 4)!,
    meterOverheadMs: round(meterOverheadMs(meter.spans), 1)!,
    wallMsPerTask: round(wallMs / total, 4)!,
  };
  return { metrics, perf, timeline: downsample(timeline, 400).map(([t, n]) => [round(t / 1000, 1)!, n]) };
}

/**
 * A bound no scheduler can beat, from the run's own generation times d(i) (successful attempt):
 * per user, sum of d(i) / actual(class i) (the weighted-capacity model: the capacity sums to at most 1)
 * and the longest single job; globally, sum d(i) / provider cap, and the create rate windows
 * (N creates need ceil(N / sum of the accounts' limits) - 1 windows before the last one can start).
 */
export function capacityLowerBound(input: SimulationInput, durationOf: (taskId: string) => number | undefined): number {
  const { config } = input;
  let bound = 0;
  let totalWork = 0;
  let count = 0;
  let shortest = Infinity;
  for (const batch of input.batches) {
    const plan = getBatchConfig(input.userPlans[batch.userId] ?? config.defaultPlan, config);
    let userWork = 0;
    for (const t of batch.tasks) {
      const d = durationOf(t.taskId);
      if (d === undefined) continue;
      count++;
      totalWork += d;
      shortest = Math.min(shortest, d);
      userWork += d / calculateActualConcurrency(plan, t.model, t.resolution, t.durationSec, plan.concurrency, config.catalog);
      bound = Math.max(bound, d);
    }
    bound = Math.max(bound, userWork);
  }
  if (count === 0) return 0;
  bound = Math.max(bound, totalWork / config.provider.maxRunning);
  // Every KIE account has its own window: together they allow the sum of their limits per (shortest) window.
  const perRound = config.provider.accounts.reduce((n, a) => n + (a.createLimit ?? config.provider.createLimit), 0);
  const windowMs = Math.min(...config.provider.accounts.map((a) => a.createWindowMs ?? config.provider.createWindowMs));
  const windows = Math.ceil(count / perRound) - 1;
  return Math.max(bound, windows * windowMs + shortest);
}

function runningLimit(input: SimulationInput): number {
  const perUser = new Map<string, number>();
  for (const batch of input.batches) {
    const plan = getBatchConfig(input.userPlans[batch.userId] ?? input.config.defaultPlan, input.config);
    let most = perUser.get(batch.userId) ?? 0;
    for (const t of batch.tasks) most = Math.max(most, calculateActualConcurrency(plan, t.model, t.resolution, t.durationSec, plan.concurrency, input.config.catalog));
    perUser.set(batch.userId, most);
  }
  let sum = 0;
  for (const v of perUser.values()) sum += v;
  return Math.min(sum, input.config.provider.maxRunning);
}

/** Keeps at most `max` points, always including the last one; step-shaped data stays readable. */
function downsample(points: Array<[number, number]>, max: number): Array<[number, number]> {
  if (points.length <= max) return points;
  const step = points.length / max;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < max; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}
