import { createActor, createMachine, type AnyActorScope, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { CreateTaskResult, GetTaskResult, KieGateway } from '../ports/gateway.ts';
import type { CallbackLossEstimator } from '../policy/callbackLoss.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { nextPollDelayMs } from '../policy/polling.ts';
import { retryBudget } from '../policy/retry.ts';
import { taskMachine, type TaskEmitted, type TaskEvent, type TaskMachineInput, type TaskRuntime } from '../task/taskMachine.ts';
import type { TaskRecord, UserEntry } from './records.ts';

export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

export interface TaskRuntimeOptions {
  clock: EngineClock;
  gateway: KieGateway;
  random?: (() => number) | undefined;
  estimator: GenerationTimeEstimator;
  /** With callbacks, how likely a job's callback is lost (the poll schedule follows it). */
  callbackLoss: CallbackLossEstimator;
  /** Whether failures lowered the global cap (the retry budget grows then). */
  providerDegraded: () => boolean;
  /** Everything a task's machine tells the supervisor. */
  onTaskEvent: (record: TaskRecord, event: TaskEmitted) => void;
}

type Delayed = { event: TaskEvent; id: string; delay?: number };

/** Gateways must not throw; if one does anyway, the throw is a transport failure, not a crash. */
async function settle<T>(call: () => Promise<T>, asError: (message: string) => T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return asError(err instanceof Error ? err.message : String(err));
  }
}

const transportError = (message: string): CreateTaskResult & GetTaskResult => ({ ok: false, error: { code: 0, message } });

/** A pending delayed event of a task: XState's id for it (`xstate.after.<delay>.<state>`) and the clock's handle. */
interface Timer {
  id: string;
  handle: unknown;
}

/**
 * A running task: its machine snapshot, the timers of its delayed transitions, and the runtime its machine calls
 * (one object per task: its plan's settings, fixed at admission, and the two KIE calls, whose answers it sends
 * back to the machine). The machine (taskMachine.ts) decides everything; this only carries out its effects.
 */
export class LiveTask implements TaskRuntime {
  snapshot!: TaskSnapshot;
  timers: Timer[] = [];
  /** The initial state's effects, held from `create` until `start`. */
  initial: ExecutableActionObject[] = [];
  /** Events sent before `start` or while the task is in a transition (by its own effects): taken next, in order. */
  inbox: TaskEvent[] | null = null;
  phase: 'created' | 'idle' | 'busy' | 'done' = 'created';
  readonly timeoutMs: number;
  readonly notFoundGraceMs: number;
  readonly random: (() => number) | undefined;
  private readonly classKey: string;
  private readonly callbacks: boolean;

  constructor(
    private readonly host: TaskRuntimeHost,
    private readonly options: TaskRuntimeOptions,
    private readonly record: TaskRecord,
    private readonly user: UserEntry,
    private readonly plan: PlanConfig,
    config: FleetConfig,
  ) {
    const { spec } = record.facts;
    this.classKey = GenerationTimeEstimator.classKey(spec.model, spec.resolution, spec.durationSec);
    this.callbacks = config.provider.callbacks;
    this.timeoutMs = plan.timeoutsMs[spec.resolution]!;
    this.notFoundGraceMs = plan.polling.notFoundGraceMs;
    this.random = options.random;
  }

  createRemoteTask(attempt: number, accountId: string): void {
    const task = this.record.facts.spec;
    void settle(() => this.options.gateway.createTask({ task, attempt, accountId }), transportError).then((result) =>
      this.deliver({ type: 'CREATE_RESULT', result }),
    );
  }

  queryStatus(remoteTaskId: string, queryId: number, accountId: string | null): void {
    const task = this.record.facts.spec;
    void settle(() => this.options.gateway.getTask(remoteTaskId, task, accountId ?? undefined), transportError).then((result) =>
      this.deliver({ type: 'STATUS_RESULT', queryId, result }),
    );
  }

  now(): number {
    return this.options.clock.now();
  }

  pollDelayMs(elapsedMs: number): number {
    const { estimator, callbackLoss, clock } = this.options;
    const { resolution } = this.record.facts.spec;
    return nextPollDelayMs(this.plan.polling, {
      elapsedMs,
      resolution,
      expected: estimator.expected(this.classKey, resolution),
      callbacks: this.callbacks,
      callbackLossRate: this.callbacks ? callbackLoss.lossFor(this.record.facts.remoteTaskId, clock.now()) : 0,
    });
  }

  /** Read at each decision: the budget grows while the user or the provider is degraded (see retryBudget). */
  get retry() {
    return retryBudget(this.plan.retry, this.user.degradation.level < this.plan.concurrency || this.options.providerDegraded());
  }

  private deliver(event: TaskEvent): void {
    this.host.deliver(this.record, this, event);
  }
}

/**
 * The running tasks, each a snapshot of the one task machine advanced with XState's pure transition function
 * (`machine.transition`) rather than an actor per task: an actor brings a mailbox, a system, a scheduler and an
 * initial-state computation, which at 1,000 running tasks and 100,000 queued was most of the engine's time.
 * Delayed transitions become timers on the engine's clock; emitted events go to the supervisor; the two KIE
 * calls are the machine's own actions, whose answers come back as events. Each task holds its share of its
 * user's capacity until it ends or is paused.
 */
export class TaskRuntimeHost {
  /** Tasks with a live machine. */
  running = 0;
  /** One inert scope for every task: the transition function only collects effects into it. */
  private readonly scope: AnyActorScope;
  private sink: ExecutableActionObject[] | null = null;

  constructor(private readonly options: TaskRuntimeOptions) {
    // XState wants an actor ref and a system in the scope; this one is never started.
    const self = createActor(createMachine({}));
    this.scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => {},
      defer: () => {},
      emit: () => {},
      stopChild: () => {},
      actionExecutor: (action) => this.sink!.push(action),
    };
  }

  /**
   * Gives the task its machine with its plan's settings (fixed now: a hot reload affects the next ones); `start`
   * carries out its first effects. It holds `weight` of its user's capacity until it ends or is paused.
   */
  create(record: TaskRecord, user: UserEntry, plan: PlanConfig, config: FleetConfig, weight: number, start: TaskMachineInput['start'], attempt: number): void {
    const { facts } = record;
    record.weight = weight;
    user.capacityUsed += weight;
    user.running++;
    this.running++;
    const live = new LiveTask(this, this.options, record, user, plan, config);
    const input: TaskMachineInput = {
      spec: facts.spec,
      start,
      attempt,
      generationRetries: facts.generationRetries,
      remoteTaskId: facts.remoteTaskId,
      accountId: facts.accountId,
      submittedAt: facts.submittedAt,
      retryDueAt: facts.nextDueAt,
      runtime: live,
    };
    [live.snapshot, live.initial] = this.collect(() => taskMachine.getInitialSnapshot(this.scope, input));
    record.live = live;
  }

  /** Carries out the initial state's effects (the supervisor announces the admission between create and start). */
  start(record: TaskRecord): void {
    const live = record.live!;
    const { initial } = live;
    live.initial = [];
    this.run(record, live, initial);
  }

  /** Sends an event to the task's machine (dropped when the task has none). */
  send(record: TaskRecord, event: TaskEvent): void {
    if (record.live) this.deliver(record, record.live, event);
  }

  /** The task's machine state value, for views (null when it has no live machine). */
  stateValue(record: TaskRecord): unknown {
    return record.live?.snapshot.value ?? null;
  }

  /** Gives back the capacity a task held. */
  release(record: TaskRecord, user: UserEntry): void {
    if (!record.live) return;
    user.capacityUsed = Math.max(0, user.capacityUsed - record.weight);
    user.running--;
    this.running--;
    this.dispose(record.live);
    record.live = null;
    record.weight = 0;
    record.waitingForSlot = false;
  }

  /** Stops the task's machine without a transition (supervisor shutdown). */
  stop(record: TaskRecord): void {
    if (record.live) this.dispose(record.live);
  }

  /** An event for the task's machine `live` (dropped when the task has moved on: ended, paused, restarted). */
  deliver(record: TaskRecord, live: LiveTask, event: TaskEvent): void {
    if (live.phase === 'done' || record.live !== live) return;
    if (live.phase !== 'idle') {
      (live.inbox ??= []).push(event);
      return;
    }
    this.run(record, live, this.step(live, event));
  }

  /** Carries out `effects`, then every event the task received meanwhile, in order. */
  private run(record: TaskRecord, live: LiveTask, effects: ExecutableActionObject[]): void {
    live.phase = 'busy';
    try {
      this.execute(record, live, effects);
      while (live.phase === 'busy' && live.inbox && live.inbox.length > 0) this.execute(record, live, this.step(live, live.inbox.shift()!));
    } finally {
      if (live.phase === 'busy') live.phase = 'idle';
      live.inbox = null;
    }
  }

  /** One transition of the task's machine; returns its effects. */
  private step(live: LiveTask, event: TaskEvent): ExecutableActionObject[] {
    const [snapshot, effects] = this.collect(() => taskMachine.transition(live.snapshot, event, this.scope));
    live.snapshot = snapshot;
    return effects;
  }

  private collect(transition: () => TaskSnapshot): [TaskSnapshot, ExecutableActionObject[]] {
    const effects: ExecutableActionObject[] = [];
    this.sink = effects;
    try {
      return [transition(), effects];
    } finally {
      this.sink = null;
    }
  }

  /** Effects in the order the machine produced them (the order an actor carries them out in). */
  private execute(record: TaskRecord, live: LiveTask, effects: ExecutableActionObject[]): void {
    if (live.snapshot.status !== 'active') this.dispose(live);
    for (const effect of effects) {
      switch (effect.type) {
        case 'xstate.emit':
          this.options.onTaskEvent(record, (effect.params as { event: TaskEmitted }).event);
          break;
        case 'xstate.raise': {
          const { event, id, delay } = effect.params as Delayed;
          if (typeof delay === 'number' && live.phase !== 'done') this.schedule(record, live, id, event, delay);
          break;
        }
        case 'xstate.cancel':
          this.cancel(live, (effect.params as { sendId: string }).sendId);
          break;
        default:
          effect.exec?.(effect.info, effect.params);
      }
    }
  }

  private schedule(record: TaskRecord, live: LiveTask, id: string, event: TaskEvent, delay: number): void {
    this.cancel(live, id);
    const timer: Timer = { id, handle: undefined };
    timer.handle = this.options.clock.setTimeout(() => {
      live.timers.splice(live.timers.indexOf(timer), 1);
      this.deliver(record, live, event);
    }, delay);
    live.timers.push(timer);
  }

  private cancel(live: LiveTask, id: string): void {
    const i = live.timers.findIndex((t) => t.id === id);
    if (i < 0) return;
    this.options.clock.clearTimeout(live.timers[i]!.handle);
    live.timers.splice(i, 1);
  }

  private dispose(live: LiveTask): void {
    if (live.phase === 'done') return;
    live.phase = 'done';
    for (const timer of live.timers) this.options.clock.clearTimeout(timer.handle);
    live.timers = [];
  }
}
