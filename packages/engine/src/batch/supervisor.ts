import { getBatchConfig } from '../config/plans.ts';
import type { FleetConfig } from '../config/schema.ts';
import type { EngineEvent, EngineEventBody } from '../events.ts';
import type { RemoteStatus } from '../ports/gateway.ts';
import { CallbackLossEstimator } from '../policy/callbackLoss.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { accountLimits } from '../config/accounts.ts';
import type { ProviderLimits } from '../ports/limits.ts';
import { taskEventForCallback } from '../task/callbackCue.ts';
import { STORAGE_ERROR_CODE } from '../policy/retry.ts';
import { foldTaskEvent, initialFacts } from '../task/facts.ts';
import type { TaskEmitted, TaskMachineInput } from '../task/taskMachine.ts';
import type { TaskFacts } from '../task/types.ts';
import { AdmissionControl, weightFor } from './admissionControl.ts';
import { Commands } from './commands.ts';
import { Endings } from './endings.ts';
import { HealthControl } from './health.ts';
import { hydrate } from './hydrate.ts';
import { LocalLimits } from './localLimits.ts';
import { Permits } from './permits.ts';
import { RateWake } from './rateWake.ts';
import { releaseUser } from './release.ts';
import { recordOwning, type TaskRecord, type UserEntry } from './records.ts';
import { Registry } from './registry.ts';
import { StorageGate } from './storageGate.ts';
import { TaskRuntimeHost } from './taskRuntime.ts';
import type { BatchInput, BatchProgress, HydrateBatch, Supervisor, SupervisorOptions, SupervisorStatus, TaskView } from './types.ts';
import { batchProgressView, factsView, statusView, taskView } from './views.ts';

/** Engine-side failure codes (provider codes are below 1000). */
export const ENGINE_CODES = {
  /** A restart found an attempt recorded but no remote id: KIE may or may not have it, so it is not resent. */
  submitUncertain: 1001,
  /** The host could not read or write its store: the attempt was not sent; it waits without using the budget. */
  storageUnavailable: STORAGE_ERROR_CODE,
} as const;

/**
 * The batch supervisor: a front that composes parts with one job each (the way pg-boss's front class composes
 * its manager and timekeeper): the registry (what is known), admission (the pure planner's input and steps),
 * the rate-window wake-up, health control (gate, global cap, degradation), the task runtime, the users' commands
 * (pause, resume, cancel, retry), hydrate and views. What stays here is the public API and the translation of
 * task machine events into engine events.
 */
class BatchSupervisor implements Supervisor {
  private readonly registry: Registry;
  private readonly limits: ProviderLimits;
  private readonly permits: Permits;
  private readonly estimator: GenerationTimeEstimator;
  private readonly callbackLoss = new CallbackLossEstimator();
  private readonly health: HealthControl;
  private readonly tasks: TaskRuntimeHost;
  private readonly admission: AdmissionControl;
  private readonly wake: RateWake;
  private readonly endings: Endings;
  private readonly commands: Commands;
  private readonly storage = new StorageGate();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private seq: number;
  /** Actors emit synchronously while admission runs: a call from inside folds into the running loop. */
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {
    const { config, clock } = options;
    this.seq = options.firstSeq ?? 1;
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.registry = new Registry(config, options.userPlans);
    this.limits = options.limits ?? new LocalLimits();
    this.limits.configure({ maxRunning: config.provider.maxRunning, accounts: accountLimits(config.provider) });
    const defaults = getBatchConfig(config.defaultPlan, config);
    this.estimator = new GenerationTimeEstimator(defaults.polling.adaptive.priorExpectedMs, defaults.polling.adaptive.minSamples);
    this.health = new HealthControl({
      clock,
      config,
      publish: (body) => this.publish(body),
      share: (accountId, signal) => this.limits.share(accountId, signal),
      onOpen: () => this.pump(),
    });
    this.permits = new Permits({ clock, health: this.health, limits: this.limits, activeUsers: () => this.registry.usersWithWork.size, onLateAnswer: () => this.pump() });
    this.tasks = new TaskRuntimeHost({
      clock,
      gateway: options.gateway,
      limits: this.limits,
      random: options.random,
      estimator: this.estimator,
      callbackLoss: this.callbackLoss,
      providerDegraded: () => this.health.providerLimit < this.registry.config.provider.maxRunning,
      onTaskEvent: (record, event) => this.onTaskEvent(record, event),
    });
    this.admission = new AdmissionControl({
      clock,
      registry: this.registry,
      health: this.health,
      permits: this.permits,
      running: () => this.tasks.running,
      storageOpen: () => this.storage.isOpen,
      admit: (record, user, plan, weight) => this.start(record, user, weight, 'queued'),
      submit: (record, accountId) => this.tasks.send(record, { type: 'SUBMIT', accountId }),
    });
    this.wake = new RateWake(clock, () => this.pump());
    this.endings = new Endings(this.registry, this.estimator, this.health, (body) => this.publish(body));
    this.commands = new Commands({ registry: this.registry, tasks: this.tasks, endings: this.endings, publish: (body) => this.publish(body), pump: () => this.pump() });
  }

  // ---- events ---------------------------------------------------------------------------------

  /** Numbers and sends an event. `body` is the caller's fresh literal: it becomes the event (no copy per event). */
  private publish(body: EngineEventBody): void {
    const event = body as EngineEvent;
    event.seq = this.seq++;
    event.at = this.options.clock.now();
    // A task's facts change only here, through the one reducer every host also uses (folded in place: a finished
    // or waiting task's facts live long, and a new object per event was long-lived garbage).
    if ('taskId' in event) {
      const record = this.registry.tasks.get(event.taskId);
      if (record) foldTaskEvent(record.facts, event);
    }
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- configuration --------------------------------------------------------------------------

  updateConfig(config: FleetConfig): void {
    const { registry } = this;
    const users = [...registry.users.values()];
    const old = new Map(users.map((u) => [u.userId, registry.planOf(u.userId).concurrency]));
    // Resolve every user's plan under the new config first: a config that drops a plan in use is refused whole.
    for (const user of users) registry.planOf(user.userId, config);
    registry.config = config;
    this.limits.configure({ maxRunning: config.provider.maxRunning, accounts: accountLimits(config.provider) });
    const defaults = getBatchConfig(config.defaultPlan, config);
    this.estimator.reconfigure(defaults.polling.adaptive.priorExpectedMs, defaults.polling.adaptive.minSamples);
    for (const user of users) this.health.rebaseUser(user, registry.planOf(user.userId), old.get(user.userId)!);
    this.health.reconfigure(config);
    this.publish({ type: 'config.reloaded' });
    this.pump();
  }

  setUserPlan(userId: string, planId: string): void {
    const { registry } = this;
    getBatchConfig(planId, registry.config);
    const user = registry.users.get(userId);
    const oldConcurrency = user ? registry.planOf(userId).concurrency : 0;
    registry.setPlan(userId, planId);
    if (user) this.health.rebaseUser(user, registry.planOf(userId), oldConcurrency);
    this.pump();
  }

  // ---- batches --------------------------------------------------------------------------------

  addBatch(batch: BatchInput): void {
    const { registry } = this;
    registry.validate(batch);
    const entry = registry.registerBatch(batch.batchId, batch.userId, batch.paused ?? false, batch.tasks);
    for (const spec of batch.tasks) registry.tasks.set(spec.taskId, recordOwning(initialFacts(spec)));
    entry.open = batch.tasks.length;
    this.publish({ type: 'batch.added', batchId: batch.batchId, userId: batch.userId, taskCount: batch.tasks.length });
    if (entry.open === 0) this.endings.finishBatch(entry);
    this.pump();
  }

  pauseBatch(batchId: string): void {
    this.commands.pauseBatch(batchId);
  }

  resumeBatch(batchId: string): void {
    this.commands.resumeBatch(batchId);
  }

  cancelBatch(batchId: string): void {
    this.commands.cancelBatch(batchId);
  }

  retryFailed(batchId: string): string[] {
    return this.commands.retryFailed(batchId);
  }

  // ---- single tasks ---------------------------------------------------------------------------

  cancelTask(taskId: string): void {
    this.commands.cancelTask(taskId);
  }

  pauseTask(taskId: string): void {
    this.commands.pauseTask(taskId);
  }

  resumeTask(taskId: string): void {
    this.commands.resumeTask(taskId);
  }

  deliverCallback(remoteTaskId: string, status: RemoteStatus, verified = false, accountId?: string): void {
    const routed = this.registry.taskOfRemote(remoteTaskId);
    // A callback on one account's URL for another account's job is not that job's.
    const record = accountId === undefined || routed?.facts.accountId === accountId ? routed : undefined;
    const event = taskEventForCallback(status, verified);
    if (event?.type === 'CALLBACK_CUE') this.callbackLoss.heard(remoteTaskId, record !== undefined, this.options.clock.now());
    if (record && event) this.tasks.send(record, event);
  }

  /** The task's remote job is done with (ended or retried): a success KIE confirmed teaches callback loss. */
  private leaveRemote(record: TaskRecord, succeeded: boolean): void {
    const { remoteTaskId } = record.facts;
    if (remoteTaskId === null) return;
    if (succeeded && this.registry.config.provider.callbacks) this.callbackLoss.confirmed(remoteTaskId, this.options.clock.now());
    else this.callbackLoss.forget(remoteTaskId);
  }

  resumeProvider(): void {
    this.health.resume();
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

  /** Admits and grants as much as the limits allow, then sets the rate-window wake-up. */
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
        this.admission.run();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    const at = this.admission.blockedUntil();
    if (at !== null) this.wake.at(at);
  }

  /** Starts the task's machine; a fresh or resumed task (`queued`) is admitted under its next attempt number. */
  private start(record: TaskRecord, user: UserEntry, weight: number, start: TaskMachineInput['start']): void {
    const plan = this.registry.planOf(user.userId);
    const attempt = start === 'queued' ? Math.max(1, record.facts.attempts) : record.facts.attempts;
    this.tasks.create(record, user, plan, this.registry.config, weight, start, attempt);
    const { spec } = record.facts;
    if (start === 'queued') this.publish({ type: 'task.admitted', taskId: spec.taskId, batchId: spec.batchId, userId: spec.userId, attempt });
    this.tasks.start(record);
  }

  // ---- task machine events ----------------------------------------------------------------------

  private onTaskEvent(record: TaskRecord, event: TaskEmitted): void {
    // The ids each event carries, written out (a spread per event was measurable garbage).
    const { taskId, batchId, userId } = record.facts.spec;
    switch (event.type) {
      case 'needsSlot':
        // Back in the line after a create that halted the account: that job never ran.
        this.permits.release(record);
        this.admission.waitForSlot(record);
        this.pump();
        return;
      case 'submitting':
        this.publish({ type: 'task.submitting', taskId, batchId, userId, attempt: event.attempt, accountId: event.accountId });
        return;
      case 'submitted':
        if (record.account !== null) this.health.account(record.account)?.accepted();
        this.registry.route(event.remoteTaskId, taskId);
        this.publish({ type: 'task.submitted', taskId, batchId, userId, attempt: event.attempt, remoteTaskId: event.remoteTaskId });
        return;
      case 'status':
        this.publish({ type: 'task.status', taskId, batchId, userId, remoteState: event.remoteState, progress: event.progress });
        return;
      case 'retryScheduled': {
        const account = record.account;
        this.leaveRemote(record, false);
        this.registry.unroute(record);
        this.publish({
          type: 'task.retryScheduled', taskId, batchId, userId, nextAttempt: event.nextAttempt, generationRetries: event.generationRetries, delayMs: event.delayMs, dueAt: event.dueAt,
          code: event.error.code, message: event.error.message, consumesAttempt: event.consumesAttempt,
        });
        // A throttle (429/455) is the gate's business, not a failure: only real failed attempts count.
        if (event.consumesAttempt) this.endings.outcome(record, true, undefined, account);
        this.permits.release(record);
        return;
      }
      case 'providerTrouble':
        this.health.trouble(event.accountId, event.error, this.registry.planOf(userId));
        return;
      case 'paused':
        this.release(record);
        this.commands.park(record);
        this.pump();
        return;
      case 'ended':
        this.release(record);
        this.leaveRemote(record, event.outcome === 'succeeded');
        this.endings.end(record, event);
        this.pump();
        return;
    }
  }

  private release(record: TaskRecord): void {
    this.tasks.release(record, this.registry.users.get(record.facts.spec.userId)!);
    this.permits.release(record);
  }

  // ---- hydrate --------------------------------------------------------------------------------

  adopt(batches: HydrateBatch[]): void {
    // Batches already known are left as they are: adopting twice (a repeated claim) changes nothing.
    this.hydrate(batches.filter((b) => !this.registry.batches.has(b.batchId)));
  }

  releaseUser(userId: string): string[] {
    const dropped = releaseUser(this.registry, this.tasks, (record) => this.permits.forget(record), userId);
    this.pump();
    return dropped;
  }

  private hydrate(batches: HydrateBatch[]): void {
    hydrate(
      {
        registry: this.registry,
        resume: (record, start) => {
          // Its callback may have come while the host was down: poll normally until one is heard.
          if (start === 'polling' && record.facts.remoteTaskId) this.callbackLoss.resumed(record.facts.remoteTaskId);
          // A job running at KIE still holds its account.
          if (start === 'polling' && record.facts.accountId !== null) this.permits.hold(record, record.facts.accountId);
          const user = this.registry.user(record.facts.spec.userId);
          this.start(record, user, weightFor(user, this.registry.planOf(user.userId), record.facts.spec, this.registry.config.catalog), start);
        },
        failUncertain: (record) =>
          this.endings.end(record, {
            outcome: 'failed',
            error: { code: ENGINE_CODES.submitUncertain, message: 'interrupted while submitting: KIE may or may not have the job, so it is not sent again' },
            resultUrls: [],
          }),
        cancel: (record) => this.commands.cancel(record),
      },
      batches,
      this.options.clock.now(),
    );
    this.pump();
  }

  // ---- views ----------------------------------------------------------------------------------

  status(): SupervisorStatus {
    return statusView(this.registry, this.health, this.limits, this.tasks.running, this.options.clock.now(), this.storage.isOpen);
  }

  batchProgress(batchId: string): BatchProgress | undefined {
    return batchProgressView(this.registry, batchId);
  }

  task(taskId: string): TaskView | undefined {
    return taskView(this.registry, taskId);
  }

  facts(): TaskFacts[] {
    return factsView(this.registry);
  }

  isIdle(): boolean {
    for (const batch of this.registry.batches.values()) if (batch.open > 0) return false;
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.wake.stop();
    for (const record of this.registry.tasks.values()) this.tasks.stop(record);
    this.health.stop();
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
  supervisor.adopt(batches);
  return supervisor;
}
