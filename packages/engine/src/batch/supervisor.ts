import { createActor, type Actor } from 'xstate';
import { getVideoModelInfo } from '../config/catalog.ts';
import { calculateActualConcurrency, getBatchConfig } from '../config/plans.ts';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import { ConfigError } from '../errors.ts';
import type { EngineEvent, EngineEventBody } from '../events.ts';
import type { ProviderError, RemoteStatus } from '../ports/gateway.ts';
import { classWeight, fitsCapacity, underProviderCap } from '../policy/admission.ts';
import { initialDegradation, rebaseLevel, recordOutcome, type DegradationState } from '../policy/degradation.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { compareForAdmission, RoundRobin } from '../policy/ordering.ts';
import { nextPollDelayMs } from '../policy/polling.ts';
import { SlidingWindowLimiter } from '../policy/rateLimit.ts';
import { classifyError, retryBudget, STORAGE_ERROR_CODE, throttleDelayMs } from '../policy/retry.ts';
import { initialFacts } from '../task/facts.ts';
import { taskMachine, type TaskEmitted, type TaskMachine, type TaskMachineInput } from '../task/taskMachine.ts';
import { isTerminal, TASK_STATES, type TaskFacts, type TaskSpec, type TaskState, type TerminalState } from '../task/types.ts';
import { AdmissionQueue } from './admissionQueue.ts';
import { StorageGate } from './storageGate.ts';
import { supervisorMachine, type ProviderGate } from './supervisorMachine.ts';
import type {
  BatchInput,
  BatchProgress,
  HydrateBatch,
  Supervisor,
  SupervisorOptions,
  SupervisorStatus,
  TaskView,
  UserLoad,
} from './types.ts';

/** Engine-side failure codes (provider codes are below 1000). */
export const ENGINE_CODES = {
  /** A restart found an attempt recorded but no remote id: KIE may or may not have it, so it is not resent. */
  submitUncertain: 1001,
  /** The host could not read or write its store: the attempt was not sent; it waits without using the budget. */
  storageUnavailable: STORAGE_ERROR_CODE,
} as const;

/** The createTask window we keep: KIE's, plus our margin for arrival jitter. */
function createWindow(config: FleetConfig): number {
  return config.provider.createWindowMs + config.provider.createWindowMarginMs;
}

interface TaskRecord {
  spec: TaskSpec;
  state: TaskState;
  attempt: number;
  generationRetries: number;
  remoteTaskId: string | null;
  submittedAt: number | null;
  nextDueAt: number | null;
  progress: number | null;
  /** Share of the user's capacity held while the task has an actor (fixed at admission). */
  weight: number;
  actor: Actor<TaskMachine> | null;
}

interface BatchEntry {
  batchId: string;
  userId: string;
  paused: boolean;
  /** Set before any task is ended: a cancelled batch admits and submits nothing more. */
  cancelled: boolean;
  queue: AdmissionQueue;
  taskIds: string[];
  open: number;
}

interface UserEntry {
  userId: string;
  planId: string;
  degradation: DegradationState;
  capacityUsed: number;
  running: number;
  batches: RoundRobin<string>;
}

/** A task's live record, from its durable facts (fresh tasks start from `initialFacts`). */
function recordFrom(facts: TaskFacts): TaskRecord {
  const { spec, state, attempts, generationRetries, remoteTaskId, submittedAt, nextDueAt } = facts;
  return { spec, state, attempt: attempts, generationRetries, remoteTaskId, submittedAt, nextDueAt, progress: null, weight: 0, actor: null };
}

const emptyCounts = (): Record<TaskState, number> =>
  Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;

class BatchSupervisor implements Supervisor {
  private config: FleetConfig;
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly batches = new Map<string, BatchEntry>();
  private readonly users = new Map<string, UserEntry>();
  private readonly usersWithWork = new RoundRobin<string>();
  private readonly byRemoteId = new Map<string, string>();
  /** Admitted tasks waiting for a createTask slot, first come first served. */
  private readonly slotWaiters: string[] = [];
  private readonly limiter: SlidingWindowLimiter;
  private readonly estimator: GenerationTimeEstimator;
  private readonly gate: Actor<typeof supervisorMachine>;
  private readonly storage = new StorageGate();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly userPlans: Map<string, string>;
  private running = 0;
  /** AIMD state of the global cap. */
  private providerHealth: DegradationState;
  private seq: number;
  private providerThrottles = 0;
  private pumping = false;
  private pumpAgain = false;
  private wake: { at: number; handle: unknown } | null = null;
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {
    this.config = options.config;
    this.seq = options.firstSeq ?? 1;
    this.userPlans = new Map(Object.entries(options.userPlans ?? {}));
    this.limiter = new SlidingWindowLimiter(this.config.provider.createLimit, createWindow(this.config));
    this.providerHealth = initialDegradation(this.config.provider.maxRunning);
    const defaults = getBatchConfig(this.config.defaultPlan, this.config);
    this.estimator = new GenerationTimeEstimator(defaults.polling.adaptive.priorExpectedMs, defaults.polling.adaptive.minSamples);
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.gate = createActor(supervisorMachine, { clock: options.clock, input: { now: () => options.clock.now() } });
    let previous: ProviderGate = 'healthy';
    this.gate.subscribe((snapshot) => {
      const value = snapshot.value as ProviderGate;
      if (value === previous) return;
      const from = previous;
      previous = value;
      if (value === 'healthy') {
        if (from === 'halted') this.publish({ type: 'provider.resumed' });
        this.pump();
      }
    });
    this.gate.start();
  }

  // ---- events ---------------------------------------------------------------------------------

  private publish(body: EngineEventBody): void {
    const event = { ...body, seq: this.seq++, at: this.options.clock.now() } as EngineEvent;
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private ref(record: TaskRecord) {
    return { taskId: record.spec.taskId, batchId: record.spec.batchId, userId: record.spec.userId };
  }

  // ---- users, plans, config -------------------------------------------------------------------

  private planOf(userId: string): PlanConfig {
    return getBatchConfig(this.userPlans.get(userId) ?? this.config.defaultPlan, this.config);
  }

  private user(userId: string): UserEntry {
    let user = this.users.get(userId);
    if (!user) {
      const plan = this.planOf(userId);
      user = { userId, planId: plan.id, degradation: initialDegradation(plan.concurrency), capacityUsed: 0, running: 0, batches: new RoundRobin() };
      this.users.set(userId, user);
    }
    return user;
  }

  /** Re-reads a user's plan from the current config and plan map; moves the level with it. */
  private rebaseUser(user: UserEntry, oldConcurrency: number): void {
    const plan = this.planOf(user.userId);
    const from = user.degradation.level;
    user.planId = plan.id;
    user.degradation = rebaseLevel(user.degradation, oldConcurrency, plan.concurrency);
    if (user.degradation.level !== from) {
      this.publish({ type: 'concurrency.changed', userId: user.userId, from, to: user.degradation.level, reason: 'config' });
    }
  }

  updateConfig(config: FleetConfig): void {
    const old = new Map([...this.users.values()].map((u) => [u.userId, this.planOf(u.userId).concurrency]));
    const oldMaxRunning = this.config.provider.maxRunning;
    // Resolve every user's plan under the new config first: a config that drops a plan in use is refused whole.
    for (const user of this.users.values()) getBatchConfig(this.userPlans.get(user.userId) ?? config.defaultPlan, config);
    this.config = config;
    this.limiter.reconfigure(config.provider.createLimit, createWindow(config));
    const defaults = getBatchConfig(config.defaultPlan, config);
    this.estimator.reconfigure(defaults.polling.adaptive.priorExpectedMs, defaults.polling.adaptive.minSamples);
    for (const user of this.users.values()) this.rebaseUser(user, old.get(user.userId)!);
    const from = this.providerHealth.level;
    this.providerHealth = rebaseLevel(this.providerHealth, oldMaxRunning, config.provider.maxRunning);
    if (this.providerHealth.level !== from) this.publish({ type: 'provider.limitChanged', from, to: this.providerHealth.level, reason: 'config' });
    this.publish({ type: 'config.reloaded' });
    this.pump();
  }

  setUserPlan(userId: string, planId: string): void {
    getBatchConfig(planId, this.config);
    const user = this.users.get(userId);
    const oldConcurrency = user ? this.planOf(userId).concurrency : 0;
    this.userPlans.set(userId, planId);
    if (user) this.rebaseUser(user, oldConcurrency);
    this.pump();
  }

  // ---- batches --------------------------------------------------------------------------------

  private validate(batch: BatchInput): void {
    if (this.batches.has(batch.batchId)) throw new ConfigError(`batch ${batch.batchId} already exists`, 'batchId');
    const seen = new Set<string>();
    batch.tasks.forEach((t, i) => {
      const where = `tasks[${i}]`;
      if (t.batchId !== batch.batchId || t.userId !== batch.userId)
        throw new ConfigError(`${where}: task belongs to another batch or user`, `${where}.batchId`);
      if (seen.has(t.taskId) || this.tasks.has(t.taskId))
        throw new ConfigError(`${where}.taskId: duplicate task id "${t.taskId}"`, `${where}.taskId`);
      seen.add(t.taskId);
      try {
        getVideoModelInfo(t.model, t.resolution, t.durationSec, this.config.catalog);
      } catch (err) {
        const e = err as ConfigError;
        throw new ConfigError(`${where}.${e.path}: ${e.message}`, `${where}.${e.path}`);
      }
    });
  }

  private registerBatch(batchId: string, userId: string, paused: boolean, specs: TaskSpec[]): BatchEntry {
    const plan = this.planOf(userId);
    const entry: BatchEntry = {
      batchId,
      userId,
      paused,
      cancelled: false,
      queue: new AdmissionQueue(specs, compareForAdmission(plan.slowClasses)),
      taskIds: specs.map((t) => t.taskId),
      open: 0,
    };
    this.batches.set(batchId, entry);
    const user = this.user(userId);
    user.batches.add(batchId);
    this.usersWithWork.add(userId);
    return entry;
  }

  addBatch(batch: BatchInput): void {
    this.validate(batch);
    const entry = this.registerBatch(batch.batchId, batch.userId, batch.paused ?? false, batch.tasks);
    for (const spec of batch.tasks) this.tasks.set(spec.taskId, recordFrom(initialFacts(spec)));
    entry.open = batch.tasks.length;
    this.publish({ type: 'batch.added', batchId: batch.batchId, userId: batch.userId, taskCount: batch.tasks.length });
    if (entry.open === 0) this.finishBatch(entry);
    this.pump();
  }

  private batchOf(batchId: string): BatchEntry | undefined {
    return this.batches.get(batchId);
  }

  private requeue(record: TaskRecord): void {
    const batch = this.batches.get(record.spec.batchId)!;
    record.state = 'queued';
    batch.queue.putBack(record.spec);
    this.user(record.spec.userId).batches.add(batch.batchId);
    this.usersWithWork.add(record.spec.userId);
  }

  pauseBatch(batchId: string): void {
    const batch = this.batchOf(batchId);
    if (!batch || batch.paused || batch.open === 0) return;
    batch.paused = true;
    this.publish({ type: 'batch.paused', batchId, userId: batch.userId });
    // Tasks already at KIE run on (they are paid for); those waiting for a slot or a retry stop.
    for (const id of batch.taskIds) this.tasks.get(id)!.actor?.send({ type: 'PAUSE' });
  }

  resumeBatch(batchId: string): void {
    const batch = this.batchOf(batchId);
    if (!batch || !batch.paused) return;
    batch.paused = false;
    this.publish({ type: 'batch.resumed', batchId, userId: batch.userId });
    for (const id of batch.taskIds) {
      const record = this.tasks.get(id)!;
      if (record.state === 'paused') this.resumeRecord(record);
    }
    this.pump();
  }

  cancelBatch(batchId: string): void {
    const batch = this.batchOf(batchId);
    if (!batch || batch.open === 0) return;
    // One step: ending a running task frees capacity and pumps, so the batch must stop admitting first.
    if (!batch.cancelled) {
      batch.cancelled = true;
      this.publish({ type: 'batch.cancelled', batchId, userId: batch.userId });
    }
    for (const id of batch.taskIds) this.cancelRecord(this.tasks.get(id)!);
    this.pump();
  }

  retryFailed(batchId: string): string[] {
    const batch = this.batchOf(batchId);
    if (!batch || batch.cancelled) return [];
    const retried: string[] = [];
    for (const id of batch.taskIds) {
      const record = this.tasks.get(id)!;
      if (record.state !== 'failed' && record.state !== 'timedOut') continue;
      Object.assign(record, { attempt: 0, generationRetries: 0, remoteTaskId: null, submittedAt: null, nextDueAt: null, progress: null });
      batch.open++;
      this.requeue(record);
      this.publish({ type: 'task.requeued', ...this.ref(record) });
      retried.push(id);
    }
    this.pump();
    return retried;
  }

  // ---- single tasks ---------------------------------------------------------------------------

  cancelTask(taskId: string): void {
    const record = this.tasks.get(taskId);
    if (record) this.cancelRecord(record);
    this.pump();
  }

  private cancelRecord(record: TaskRecord): void {
    if (isTerminal(record.state)) return;
    if (record.actor) {
      record.actor.send({ type: 'CANCEL' });
      return;
    }
    this.end(record, 'cancelled', null, []);
  }

  pauseTask(taskId: string): void {
    const record = this.tasks.get(taskId);
    if (!record) return;
    if (record.actor) record.actor.send({ type: 'PAUSE' });
    else if (record.state === 'queued') this.park(record);
  }

  resumeTask(taskId: string): void {
    const record = this.tasks.get(taskId);
    if (record?.state !== 'paused') return;
    this.resumeRecord(record);
    this.pump();
  }

  private park(record: TaskRecord): void {
    record.state = 'paused';
    this.publish({ type: 'task.paused', ...this.ref(record), attempts: record.attempt });
  }

  private resumeRecord(record: TaskRecord): void {
    this.requeue(record);
    this.publish({ type: 'task.resumed', ...this.ref(record) });
  }

  deliverCallback(remoteTaskId: string, status: RemoteStatus): void {
    const taskId = this.byRemoteId.get(remoteTaskId);
    if (taskId) this.tasks.get(taskId)!.actor?.send({ type: 'REMOTE_UPDATE', status });
  }

  resumeProvider(): void {
    this.gate.send({ type: 'RESUME' });
  }

  storageUnavailable(message: string): void {
    if (this.storage.close(this.options.clock.now(), message)) this.publish({ type: 'storage.unavailable', message });
  }

  storageAvailable(): void {
    const downMs = this.storage.open(this.options.clock.now());
    if (downMs === null) return;
    this.publish({ type: 'storage.available', downMs });
    this.pump();
  }

  // ---- admission ------------------------------------------------------------------------------

  private weightFor(user: UserEntry, plan: PlanConfig, spec: TaskSpec): number {
    return classWeight(calculateActualConcurrency(plan, spec.model, spec.resolution, spec.durationSec, user.degradation.level));
  }

  private gateState(): ProviderGate {
    return this.gate.getSnapshot().value as ProviderGate;
  }

  /** Admits and grants as much as the limits allow. Re-entrant calls (from actor events) fold into one loop. */
  private pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.grantSlot() || this.admitOne());
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.scheduleWake();
  }

  /** Gives the longest-waiting admitted task a createTask slot, if the provider and rate window allow. */
  private grantSlot(): boolean {
    if (this.gateState() !== 'healthy' || !this.storage.isOpen) return false;
    while (this.slotWaiters.length > 0) {
      const record = this.tasks.get(this.slotWaiters[0]!)!;
      // The supervisor's own record, not the actor snapshot: this runs inside actor transitions,
      // before their snapshots are committed.
      if (record.state !== 'queued' || !record.actor || this.batches.get(record.spec.batchId)!.cancelled) {
        this.slotWaiters.shift(); // paused or cancelled while waiting
        continue;
      }
      if (!this.limiter.tryTake(this.options.clock.now())) return false;
      this.slotWaiters.shift();
      record.actor.send({ type: 'SUBMIT' });
      return true;
    }
    return false;
  }

  /** Admits one task: users in round-robin order, each user's batches in round-robin order. */
  private admitOne(): boolean {
    const now = this.options.clock.now();
    if (this.slotWaiters.length > 0 || this.gateState() !== 'healthy' || !this.storage.isOpen) return false;
    if (!underProviderCap(this.running, this.providerHealth.level)) return false;
    if (this.limiter.countInWindow(now) >= this.config.provider.createLimit) return false;
    // A task may sit in its queue twice (paused and resumed before the head reached it): only one without an actor counts.
    const isWaiting = (id: string) => {
      const record = this.tasks.get(id)!;
      return record.state === 'queued' && record.actor === null;
    };
    for (const userId of this.usersWithWork.order()) {
      const user = this.users.get(userId)!;
      const plan = this.planOf(userId);
      let hasWork = false;
      for (const batchId of user.batches.order()) {
        const batch = this.batches.get(batchId)!;
        const next = batch.queue.peek(isWaiting);
        if (!next) {
          user.batches.remove(batchId);
          continue;
        }
        if (batch.paused || batch.cancelled) continue;
        hasWork = true;
        const weight = this.weightFor(user, plan, next);
        // Head-of-line: the seed's order holds inside a batch, so a heavy task is not overtaken by lighter ones.
        if (!fitsCapacity(user.capacityUsed, weight)) continue;
        batch.queue.take(next);
        user.batches.served(batchId);
        this.usersWithWork.served(userId);
        this.start(this.tasks.get(next.taskId)!, user, plan, weight, 'queued');
        return true;
      }
      if (!hasWork && user.batches.size === 0) this.usersWithWork.remove(userId);
    }
    return false;
  }

  /** Creates the task's actor; it holds `weight` of its user's capacity until it ends or is paused. */
  private start(record: TaskRecord, user: UserEntry, plan: PlanConfig, weight: number, start: TaskMachineInput['start']): void {
    const { spec } = record;
    if (start === 'queued') record.attempt = Math.max(1, record.attempt);
    record.weight = weight;
    user.capacityUsed += weight;
    user.running++;
    this.running++;
    const classKey = GenerationTimeEstimator.classKey(spec.model, spec.resolution, spec.durationSec);
    const clock = this.options.clock;
    const callbacks = this.config.provider.callbacks;
    const degraded = () => user.degradation.level < plan.concurrency || this.providerHealth.level < this.config.provider.maxRunning;
    const actor = createActor(taskMachine, {
      clock,
      input: {
        spec,
        start,
        attempt: record.attempt,
        generationRetries: record.generationRetries,
        remoteTaskId: record.remoteTaskId,
        submittedAt: record.submittedAt,
        retryDueAt: record.nextDueAt,
        runtime: {
          gateway: this.options.gateway,
          now: () => clock.now(),
          pollDelayMs: (elapsedMs) =>
            nextPollDelayMs(plan.polling, { elapsedMs, resolution: spec.resolution, expected: this.estimator.expected(classKey, spec.resolution), callbacks }),
          timeoutMs: plan.timeoutsMs[spec.resolution]!,
          notFoundGraceMs: plan.polling.notFoundGraceMs,
          // Read at each decision: the budget grows while the provider is degraded (see retryBudget).
          get retry() {
            return retryBudget(plan.retry, degraded());
          },
          random: this.options.random,
        },
      },
    });
    record.actor = actor;
    actor.on('*', (emitted) => this.onTaskEvent(record, emitted as TaskEmitted));
    if (start === 'queued') this.publish({ type: 'task.admitted', ...this.ref(record), attempt: record.attempt });
    actor.start();
  }

  /** Gives back the capacity a task held. */
  private release(record: TaskRecord): void {
    if (!record.actor) return;
    const user = this.users.get(record.spec.userId)!;
    user.capacityUsed = Math.max(0, user.capacityUsed - record.weight);
    user.running--;
    this.running--;
    record.actor = null;
    record.weight = 0;
  }

  private scheduleWake(): void {
    const now = this.options.clock.now();
    const blockedOnRate =
      this.gateState() === 'healthy' &&
      (this.slotWaiters.length > 0 || (this.usersWithWork.size > 0 && underProviderCap(this.running, this.providerHealth.level)));
    if (!blockedOnRate) return;
    const at = this.limiter.nextFreeAt(now);
    if (at <= now) return;
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) this.options.clock.clearTimeout(this.wake.handle);
    const handle = this.options.clock.setTimeout(() => {
      this.wake = null;
      this.pump();
    }, at - now);
    this.wake = { at, handle };
  }

  // ---- task actor events ----------------------------------------------------------------------

  private onTaskEvent(record: TaskRecord, event: TaskEmitted): void {
    const ref = this.ref(record);
    switch (event.type) {
      case 'needsSlot':
        record.state = 'queued';
        this.slotWaiters.push(ref.taskId);
        this.pump();
        return;
      case 'submitting':
        record.state = 'submitting';
        this.publish({ type: 'task.submitting', ...ref, attempt: event.attempt });
        return;
      case 'submitted':
        record.state = 'polling';
        record.remoteTaskId = event.remoteTaskId;
        record.submittedAt = this.options.clock.now();
        record.nextDueAt = null;
        this.providerThrottles = 0;
        this.byRemoteId.set(event.remoteTaskId, ref.taskId);
        this.publish({ type: 'task.submitted', ...ref, attempt: event.attempt, remoteTaskId: event.remoteTaskId });
        return;
      case 'status':
        record.progress = event.progress;
        this.publish({ type: 'task.status', ...ref, remoteState: event.remoteState, progress: event.progress });
        return;
      case 'retryScheduled':
        this.forgetRemote(record);
        record.state = 'retrying';
        record.attempt = event.nextAttempt;
        record.generationRetries = event.generationRetries;
        record.nextDueAt = event.dueAt;
        record.progress = null;
        this.publish({
          type: 'task.retryScheduled', ...ref, nextAttempt: event.nextAttempt, generationRetries: event.generationRetries, delayMs: event.delayMs, dueAt: event.dueAt,
          code: event.error.code, message: event.error.message, consumesAttempt: event.consumesAttempt,
        });
        // A throttle (429/455) is the gate's business, not a failure: only real failed attempts count.
        if (event.consumesAttempt) this.recordHealth(record, true);
        return;
      case 'providerTrouble':
        this.onProviderTrouble(record, event.error);
        return;
      case 'paused':
        this.release(record);
        this.park(record);
        this.pump();
        return;
      case 'ended':
        this.release(record);
        this.end(record, event.outcome, event.error, event.resultUrls, event.elapsedMs, event.remoteDurationMs);
        this.pump();
        return;
    }
  }

  private onProviderTrouble(record: TaskRecord, error: ProviderError): void {
    const decision = classifyError(error);
    if (decision.kind === 'halt') {
      if (this.gateState() !== 'halted') {
        this.publish({ type: 'provider.halted', code: error.code, message: error.message });
        this.gate.send({ type: 'HALT', error });
      }
      return;
    }
    if (decision.kind !== 'throttle') return;
    this.providerThrottles++;
    const untilAt = this.options.clock.now() + throttleDelayMs(this.providerThrottles, this.planOf(record.spec.userId).retry, decision.retryAfterMs);
    this.publish({ type: 'provider.throttled', code: error.code, untilAt });
    this.gate.send({ type: 'THROTTLE', untilAt });
  }

  private forgetRemote(record: TaskRecord): void {
    if (record.remoteTaskId) this.byRemoteId.delete(record.remoteTaskId);
    record.remoteTaskId = null;
    record.submittedAt = null;
  }

  /**
   * Feeds an attempt's outcome to its user's degradation control and to the global cap's.
   * Refusals and bad requests say nothing about provider health.
   */
  private recordHealth(record: TaskRecord, failed: boolean, error?: ProviderError | null): void {
    if (failed && error && classifyError(error).kind !== 'retry') return;
    const user = this.users.get(record.spec.userId)!;
    const plan = this.planOf(user.userId);
    const forUser = recordOutcome(user.degradation, failed, plan.concurrency, plan.degradation);
    user.degradation = forUser.state;
    if (forUser.change) this.publish({ type: 'concurrency.changed', userId: user.userId, ...forUser.change });
    const { maxRunning, degradation } = this.config.provider;
    const global = recordOutcome(this.providerHealth, failed, maxRunning, degradation);
    this.providerHealth = global.state;
    if (global.change) this.publish({ type: 'provider.limitChanged', ...global.change });
  }

  private end(
    record: TaskRecord,
    outcome: TerminalState,
    error: ProviderError | null,
    resultUrls: string[],
    elapsedMs: number | null = null,
    remoteDurationMs: number | null = null,
  ): void {
    const ref = this.ref(record);
    const submitted = record.remoteTaskId !== null;
    const remoteTaskId = record.remoteTaskId;
    this.forgetRemote(record);
    record.state = outcome;
    record.nextDueAt = null;
    switch (outcome) {
      case 'succeeded': {
        const { model, resolution, durationSec } = record.spec;
        const sample = remoteDurationMs ?? elapsedMs;
        if (sample !== null) this.estimator.record(GenerationTimeEstimator.classKey(model, resolution, durationSec), sample);
        record.progress = 100;
        this.publish({ type: 'task.succeeded', ...ref, remoteTaskId: remoteTaskId ?? '', resultUrls, attempts: record.attempt });
        this.recordHealth(record, false);
        break;
      }
      case 'failed':
        this.publish({
          type: 'task.failed', ...ref, code: error?.code ?? 0, message: error?.message ?? 'failed', attempts: record.attempt, submitted,
        });
        this.recordHealth(record, true, error);
        break;
      case 'timedOut': {
        const timeoutMs = this.planOf(ref.userId).timeoutsMs[record.spec.resolution]!;
        this.publish({ type: 'task.timedOut', ...ref, attempts: record.attempt, timeoutMs });
        this.recordHealth(record, true);
        break;
      }
      case 'cancelled':
        this.publish({ type: 'task.cancelled', ...ref, attempts: record.attempt, submitted });
        break;
    }
    const batch = this.batches.get(ref.batchId)!;
    batch.open--;
    if (batch.open === 0) this.finishBatch(batch);
  }

  private finishBatch(batch: BatchEntry): void {
    const counts = { succeeded: 0, failed: 0, cancelled: 0, timedOut: 0 } satisfies Record<TerminalState, number>;
    for (const id of batch.taskIds) {
      const state = this.tasks.get(id)!.state;
      if (isTerminal(state)) counts[state]++;
    }
    batch.paused = false;
    this.publish({ type: 'batch.finished', batchId: batch.batchId, userId: batch.userId, counts });
  }

  // ---- hydrate --------------------------------------------------------------------------------

  /** Rebuilds batches from persisted facts: in-flight tasks resume where they were, never resubmitted. */
  hydrate(batches: HydrateBatch[]): void {
    for (const b of batches) {
      const entry = this.registerBatch(b.batchId, b.userId, b.paused, b.tasks.filter((t) => t.state === 'queued').map((t) => t.spec));
      entry.taskIds = b.tasks.map((t) => t.spec.taskId);
      // A cancel accepted before the restart admits nothing now either; it is carried out below.
      entry.cancelled = b.cancelled ?? false;
      for (const facts of b.tasks) {
        this.tasks.set(facts.spec.taskId, recordFrom(facts));
        if (!isTerminal(facts.state)) entry.open++;
      }
      for (const facts of b.tasks) this.resumeFacts(this.tasks.get(facts.spec.taskId)!);
      if (entry.cancelled) for (const id of entry.taskIds) this.cancelRecord(this.tasks.get(id)!);
    }
    this.pump();
  }

  private resumeFacts(record: TaskRecord): void {
    const user = this.user(record.spec.userId);
    const plan = this.planOf(user.userId);
    const weight = this.weightFor(user, plan, record.spec);
    switch (record.state) {
      case 'submitting':
      case 'polling':
        if (record.remoteTaskId !== null) {
          record.submittedAt ??= this.options.clock.now();
          this.byRemoteId.set(record.remoteTaskId, record.spec.taskId);
          record.state = 'polling';
          this.start(record, user, plan, weight, 'polling');
        } else {
          this.end(record, 'failed', {
            code: ENGINE_CODES.submitUncertain,
            message: 'interrupted while submitting: KIE may or may not have the job, so it is not sent again',
          }, []);
        }
        return;
      case 'retrying':
        record.nextDueAt ??= this.options.clock.now();
        this.start(record, user, plan, weight, 'retrying');
        return;
      default:
        return; // queued tasks wait in the queue; paused and terminal ones stay as they are
    }
  }

  // ---- views ----------------------------------------------------------------------------------

  status(): SupervisorStatus {
    const users: UserLoad[] = [...this.users.values()].map((u) => ({
      userId: u.userId,
      plan: u.planId,
      level: u.degradation.level,
      planConcurrency: this.planOf(u.userId).concurrency,
      capacityUsed: u.capacityUsed,
      running: u.running,
      queued: [...u.batches.order()].reduce((n, id) => n + this.countState(id, 'queued'), 0),
    }));
    return {
      provider: this.gateState(),
      storage: this.storage.isOpen ? 'writable' : 'unwritable',
      providerLimit: this.providerHealth.level,
      running: this.running,
      queued: users.reduce((n, u) => n + u.queued, 0),
      users,
      createsInWindow: this.limiter.countInWindow(this.options.clock.now()),
    };
  }

  private countState(batchId: string, state: TaskState): number {
    const batch = this.batches.get(batchId);
    return batch ? batch.taskIds.filter((id) => this.tasks.get(id)!.state === state).length : 0;
  }

  batchProgress(batchId: string): BatchProgress | undefined {
    const batch = this.batches.get(batchId);
    if (!batch) return undefined;
    const byState = emptyCounts();
    for (const id of batch.taskIds) byState[this.tasks.get(id)!.state]++;
    return { batchId, userId: batch.userId, paused: batch.paused, total: batch.taskIds.length, byState };
  }

  task(taskId: string): TaskView | undefined {
    const record = this.tasks.get(taskId);
    if (!record) return undefined;
    return {
      taskId,
      state: record.state,
      machineState: record.actor?.getSnapshot().value ?? record.state,
      attempts: record.attempt,
      remoteTaskId: record.remoteTaskId,
      progress: record.progress,
    };
  }

  facts(): TaskFacts[] {
    return [...this.tasks.values()].map((r) => ({
      spec: r.spec,
      state: r.state,
      attempts: r.attempt,
      generationRetries: r.generationRetries,
      remoteTaskId: r.remoteTaskId,
      submittedAt: r.submittedAt,
      nextDueAt: r.nextDueAt,
    }));
  }

  isIdle(): boolean {
    for (const batch of this.batches.values()) if (batch.open > 0) return false;
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.wake) this.options.clock.clearTimeout(this.wake.handle);
    for (const record of this.tasks.values()) record.actor?.stop();
    this.gate.stop();
    this.listeners.clear();
  }
}

/** Starts a supervisor with no work. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new BatchSupervisor(options);
}

/**
 * Rebuilds a supervisor from persisted task facts (after a crash or restart). Tasks with a remote id
 * resume polling without calling createTask again; retrying tasks wait out what is left of their backoff.
 */
export function hydrateSupervisor(options: SupervisorOptions, batches: HydrateBatch[]): Supervisor {
  const supervisor = new BatchSupervisor(options);
  supervisor.hydrate(batches);
  return supervisor;
}
