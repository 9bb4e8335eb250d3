import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { CreateTaskResult, GetTaskResult, KieGateway } from '../ports/gateway.ts';
import type { CallbackLossEstimator } from '../policy/callbackLoss.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { nextPollDelayMs } from '../policy/polling.ts';
import { retryBudget, STORAGE_ERROR_CODE } from '../policy/retry.ts';
import type { ProviderLimits } from '../ports/limits.ts';
import { CompiledMachine, type Effect, type MachineState, type StateValue } from '../task/compiledMachine.ts';
import { taskMachine, type TaskContext, type TaskEmitted, type TaskEvent, type TaskMachineInput, type TaskRuntime } from '../task/taskMachine.ts';
import type { TaskRecord, UserEntry } from './records.ts';

/** The task machine as tables, stepped without XState's interpreter (see compiledMachine.ts for why). */
const compiledTaskMachine = new CompiledMachine<TaskContext, TaskEvent, TaskMachineInput>(taskMachine);
type TaskEffect = Effect<TaskEmitted>;

export interface TaskRuntimeOptions {
  clock: EngineClock;
  gateway: KieGateway;
  /** Hears how each createTask went (the createTask window counts it as KIE did). */
  limits: Pick<ProviderLimits, 'created'>;
  random?: (() => number) | undefined;
  estimator: GenerationTimeEstimator;
  /** With callbacks, how likely a job's callback is lost (the poll schedule follows it). */
  callbackLoss: CallbackLossEstimator;
  /** Whether failures lowered the global cap (the retry budget grows then). */
  providerDegraded: () => boolean;
  /** Everything a task's machine tells the supervisor. */
  onTaskEvent: (record: TaskRecord, event: TaskEmitted) => void;
}

/**
 * Hands a gateway call's answer to `answered`. Gateways must not throw or reject; if one does anyway, that is a
 * transport failure, not a crash. (A plain `then`, not an async wrapper: one promise per call, not three.)
 */
function settle<T>(call: () => Promise<T>, answered: (result: T | TransportError) => void): void {
  let answer: Promise<T>;
  try {
    answer = call();
  } catch (err) {
    answer = Promise.reject(err);
  }
  answer.then(answered, (err: unknown) => answered(transportError(err instanceof Error ? err.message : String(err))));
}

type TransportError = CreateTaskResult & GetTaskResult & { ok: false };
const transportError = (message: string): TransportError => ({ ok: false, error: { code: 0, message } });

/**
 * A delayed event of a task (an `after` transition), by its id (`xstate.after.<delay>.<state>`). A task keeps one
 * per id it has used and arms it again: a poll every few seconds was a new timer object and closure each time.
 */
interface Timer {
  id: string;
  armed: boolean;
  handle: unknown;
  event: TaskEvent;
  fire: () => void;
}

/**
 * A running task: its machine snapshot, the timers of its delayed transitions, and the runtime its machine calls
 * (one object per task: its plan's settings, fixed at admission, and the two KIE calls, whose answers it sends
 * back to the machine). The machine (taskMachine.ts) decides everything; this only carries out its effects.
 */
export class LiveTask implements TaskRuntime {
  state!: MachineState<TaskContext>;
  timers: Timer[] = [];
  /** The initial state's effects, held from `create` until `start`. */
  initial: TaskEffect[] = NO_EFFECTS;
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
    settle(
      () => this.options.gateway.createTask({ task, attempt, accountId }),
      (result) => {
        // First the window (KIE counted the create by now), whatever the task does next: it may have moved on.
        const reached = result.ok || result.error.code !== STORAGE_ERROR_CODE;
        this.options.limits.created({ accountId, taskId: task.taskId, attempt, at: this.options.clock.now(), reached });
        this.deliver({ type: 'CREATE_RESULT', result });
      },
    );
  }

  queryStatus(remoteTaskId: string, queryId: number, accountId: string | null): void {
    const task = this.record.facts.spec;
    settle(
      () => this.options.gateway.getTask(remoteTaskId, task, accountId ?? undefined),
      (result) => this.deliver({ type: 'STATUS_RESULT', queryId, result }),
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

  /** The machine's state value (nested, as XState writes it), for views. */
  get value(): StateValue {
    return this.state.node.value;
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
 * The running tasks, each a state of the one task machine stepped by its compiled tables rather than an actor
 * per task (an actor brings a mailbox, a system, a scheduler and an initial-state computation; XState's pure
 * `transition` still recomputes each transition's structure): at 1,000 running tasks and 100,000 queued either
 * was most of the engine's time. Delayed transitions become timers on the engine's clock; emitted events go to
 * the supervisor; the two KIE calls are the machine's own actions, whose answers come back as events. Each task
 * holds its share of its user's capacity until it ends or is paused.
 */
export class TaskRuntimeHost {
  /** Tasks with a live machine. */
  running = 0;

  constructor(private readonly options: TaskRuntimeOptions) {}

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
    // The initial effects go in a pooled list like a step's: `execute` gives every list it carried out back to
    // the pool, and a fresh one here grew the pool by one list per admission (a 100,000-task run kept 100,000).
    live.initial = this.lists.pop() ?? [];
    live.state = compiledTaskMachine.initial(input, live.initial as Effect<unknown>[]);
    record.live = live;
  }

  /** Carries out the initial state's effects (the supervisor announces the admission between create and start). */
  start(record: TaskRecord): void {
    const live = record.live!;
    const { initial } = live;
    live.initial = NO_EFFECTS;
    this.run(record, live, initial);
  }

  /** Sends an event to the task's machine (dropped when the task has none). */
  send(record: TaskRecord, event: TaskEvent): void {
    if (record.live) this.deliver(record, record.live, event);
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
  private run(record: TaskRecord, live: LiveTask, effects: TaskEffect[]): void {
    live.phase = 'busy';
    try {
      this.execute(record, live, effects);
      while (live.phase === 'busy' && live.inbox && live.inbox.length > 0) this.execute(record, live, this.step(live, live.inbox.shift()!));
    } finally {
      if (live.phase === 'busy') live.phase = 'idle';
      live.inbox = null;
    }
  }

  /**
   * Effect lists, reused: a list is carried out before it is given back, and one carried out may lead to steps of
   * other tasks meanwhile (a task that ends admits the next one), each with a list of its own.
   */
  private readonly lists: TaskEffect[][] = [];

  /** One transition of the task's machine; returns its effects. */
  private step(live: LiveTask, event: TaskEvent): TaskEffect[] {
    const effects = this.lists.pop() ?? [];
    compiledTaskMachine.step(live.state, event, effects as Effect<unknown>[]);
    return effects;
  }

  /** Effects in the order the machine produced them (the order an actor carries them out in). */
  private execute(record: TaskRecord, live: LiveTask, effects: TaskEffect[]): void {
    if (compiledTaskMachine.done(live.state)) this.dispose(live);
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      switch (effect.kind) {
        case 'emit':
          this.options.onTaskEvent(record, effect.event);
          break;
        case 'after':
          if (live.phase !== 'done') this.schedule(record, live, effect.id, effect.event as TaskEvent, effect.delay);
          break;
        case 'cancel':
          this.cancel(live, effect.id);
          break;
        case 'call':
          effect.exec(effect.args, effect.params);
      }
    }
    if (effects !== NO_EFFECTS) {
      effects.length = 0;
      this.lists.push(effects);
    }
  }

  private schedule(record: TaskRecord, live: LiveTask, id: string, event: TaskEvent, delay: number): void {
    let timer: Timer | undefined;
    for (const t of live.timers) if (t.id === id) timer = t;
    if (timer === undefined) {
      const made: Timer = {
        id,
        armed: false,
        handle: undefined,
        event,
        fire: () => {
          made.armed = false;
          made.handle = undefined;
          this.deliver(record, live, made.event);
        },
      };
      live.timers.push((timer = made));
    } else if (timer.armed) this.options.clock.clearTimeout(timer.handle);
    timer.event = event;
    timer.armed = true;
    timer.handle = this.options.clock.setTimeout(timer.fire, delay);
  }

  private cancel(live: LiveTask, id: string): void {
    for (const timer of live.timers) {
      if (timer.id !== id || !timer.armed) continue;
      this.options.clock.clearTimeout(timer.handle);
      timer.armed = false;
      timer.handle = undefined;
      return;
    }
  }

  private dispose(live: LiveTask): void {
    if (live.phase === 'done') return;
    live.phase = 'done';
    for (const timer of live.timers) if (timer.armed) this.options.clock.clearTimeout(timer.handle);
    live.timers.length = 0;
  }
}

/** The effects of a task already started: none (shared, never written). */
const NO_EFFECTS: TaskEffect[] = [];
