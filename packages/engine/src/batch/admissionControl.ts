import { calculateActualConcurrency } from '../config/plans.ts';
import type { Catalog, PlanConfig } from '../config/schema.ts';
import type { EngineClock } from '../ports/clock.ts';
import {
  admissionRoom,
  classWeight,
  planAdmission,
  underProviderCap,
  type AdmissionInput,
  type AdmissionStep,
  type PlannerBatch,
  type PlannerUser,
  type Sequence,
} from '../policy/admission.ts';
import type { TaskSpec } from '../task/types.ts';
import type { HealthControl } from './health.ts';
import type { Permits } from './permits.ts';
import type { TaskRecord, UserEntry } from './records.ts';
import type { Registry } from './registry.ts';
import type { LiveTask } from './taskRuntime.ts';

const NO_WAITERS: readonly string[] = [];
const NO_USERS: Sequence<PlannerUser> = { at: () => undefined };

/** The items of an iterator, mapped and remembered only as far as they are read. */
class LazyList<T, U> implements Sequence<U> {
  private readonly items: U[] = [];

  constructor(
    private readonly source: Iterator<T>,
    private readonly map: (item: T) => U,
  ) {}

  at(index: number): U | undefined {
    while (this.items.length <= index) {
      const next = this.source.next();
      if (next.done) return undefined;
      this.items.push(this.map(next.value));
    }
    return this.items[index];
  }
}

/**
 * The users with queued work as the planner reads them: in round-robin order, each built when first read. Those
 * with nothing to admit are skipped, and leave the round only once planning is done (`dropIdle`): the round is
 * read by position, without a copy of it per admission pass.
 */
class WaitingUsers implements Sequence<PlannerUser> {
  private readonly users: PlannerUser[] = [];
  private readonly idle: string[] = [];
  private read = 0;

  constructor(
    private readonly registry: Registry,
    private readonly build: (userId: string) => PlannerUser | undefined,
  ) {}

  at(index: number): PlannerUser | undefined {
    const round = this.registry.usersWithWork;
    while (this.users.length <= index) {
      const userId = round.at(this.read);
      if (userId === undefined) return undefined;
      this.read++;
      const user = this.build(userId);
      if (user) this.users.push(user);
      else this.idle.push(userId);
    }
    return this.users[index];
  }

  dropIdle(): void {
    for (const userId of this.idle) this.registry.usersWithWork.remove(userId);
  }
}

export interface AdmissionControlOptions {
  clock: EngineClock;
  registry: Registry;
  health: HealthControl;
  permits: Permits;
  running: () => number;
  /** Whether the host can write its store (the storage gate). */
  storageOpen: () => boolean;
  /** Starts an admitted task's machine. */
  admit: (record: TaskRecord, user: UserEntry, plan: PlanConfig, weight: number) => void;
  /** Sends a granted task's machine its SUBMIT on the account whose permit it got. */
  submit: (record: TaskRecord, accountId: string) => void;
}

/** A task's share of its user's capacity at the user's current level (frame sizes from the catalog in force). */
export function weightFor(user: UserEntry, plan: PlanConfig, spec: TaskSpec, catalog: Pick<Catalog, 'resolutions'>): number {
  return classWeight(calculateActualConcurrency(plan, spec.model, spec.resolution, spec.durationSec, user.degradation.level, catalog));
}

/**
 * Admission: gathers the facts and limits in force for the pure planner (policy/admission.ts) and carries out
 * its steps: a waiting task's SUBMIT, a queued task's machine.
 */
export class AdmissionControl {
  /** Admitted tasks waiting for a createTask slot, first come first served (with the machine that asked). */
  private slotWaiters: { taskId: string; live: LiveTask }[] = [];

  constructor(private readonly options: AdmissionControlOptions) {}

  /** The task's machine asks for a createTask slot (again at the head of the line after a denied permit). */
  waitForSlot(record: TaskRecord, first = false): void {
    record.waitingForSlot = true;
    const waiter = { taskId: record.facts.spec.taskId, live: record.live! };
    if (first) this.slotWaiters.unshift(waiter);
    else this.slotWaiters.push(waiter);
  }

  /** Plans with the state as it is now and carries the plan out. */
  run(): void {
    const { input, users } = this.input();
    const steps = planAdmission(input);
    // Users the planner found with nothing to admit leave the round (after planning: the round is read by index).
    users?.dropIdle();
    for (const step of steps) {
      if (step.kind === 'grant') this.grant(step.taskId);
      else this.admit(step);
    }
  }

  /** When admission waits only for the accounts' rate windows: the time the next create frees. */
  blockedUntil(): number | null {
    const { health, registry, permits, running, clock } = this.options;
    const blockedOnRate =
      health.isOpen() && (this.slotWaiters.length > 0 || (registry.usersWithWork.size > 0 && underProviderCap(running(), health.providerLimit)));
    return blockedOnRate ? permits.nextFreeAt(clock.now()) : null;
  }

  /** A queued task may be admitted when it has no machine (it may sit in its queue twice: paused and resumed). */
  private readonly isWaiting = (taskId: string): boolean => {
    const record = this.options.registry.record(taskId);
    return record.facts.state === 'queued' && record.live === null;
  };

  /**
   * The facts and limits the planner decides on, and the users it reads (only when there is room: this runs on
   * every pump); drops batches and users with nothing left to admit.
   */
  private input(): { input: AdmissionInput; users: WaitingUsers | null } {
    const { registry, health, permits, clock } = this.options;
    // The supervisor's own flag, not the machine's state: this runs while a task's effects are carried out.
    // Tasks paused or cancelled while waiting drop out here.
    let kept = 0;
    for (const w of this.slotWaiters) {
      // A released user's tasks are gone from the registry.
      const record = registry.tasks.get(w.taskId);
      if (record !== undefined && record.waitingForSlot && record.live === w.live && !registry.batches.get(record.facts.spec.batchId)!.cancelled) this.slotWaiters[kept++] = w;
    }
    this.slotWaiters.length = kept;
    const input: AdmissionInput = {
      // The storage gate beside the provider's: nothing is admitted or sent while the host cannot record it.
      providerOpen: health.isOpen() && this.options.storageOpen(),
      running: this.options.running(),
      providerLimit: health.providerLimit,
      createsFree: permits.createsFree(clock.now()),
      slotWaiters: this.slotWaiters.length === 0 ? NO_WAITERS : this.slotWaiters.map((w) => w.taskId),
      users: NO_USERS,
    };
    if (this.slotWaiters.length >= input.createsFree || admissionRoom(input) <= 0) return { input, users: null };
    const users = new WaitingUsers(this.options.registry, (userId) => this.plannerUser(userId));
    input.users = users;
    return { input, users };
  }

  /** A user with its batches that have tasks waiting (batches without any leave the user's round), or undefined. */
  private plannerUser(userId: string): PlannerUser | undefined {
    const { registry } = this.options;
    const user = registry.users.get(userId)!;
    const plan = registry.planOf(userId);
    const weigh = (spec: TaskSpec) => ({ taskId: spec.taskId, weight: weightFor(user, plan, spec, registry.config.catalog) });
    const batches: PlannerBatch[] = [];
    for (const batchId of user.batches.order()) {
      const batch = registry.batches.get(batchId)!;
      if (!batch.queue.peek(this.isWaiting)) {
        user.batches.remove(batchId);
        continue;
      }
      // A cancelled batch admits nothing, like a paused one (its tasks are being ended).
      batches.push({ batchId, paused: batch.paused || batch.cancelled, waiting: new LazyList(batch.queue.waiting(this.isWaiting), weigh) });
    }
    return user.batches.size > 0 ? { userId, capacityUsed: user.capacityUsed, batches } : undefined;
  }

  /** Gives a waiting task its createTask slot: an account with room and that account's permit. */
  private grant(taskId: string): void {
    const { registry, permits, clock } = this.options;
    const record = registry.record(taskId);
    const live = record.live;
    if (!record.waitingForSlot || !live) return;
    const account = permits.pick(clock.now());
    if (!account) return;
    record.waitingForSlot = false;
    permits.ask(record, account, (answer) => {
      // Paused, cancelled or ended while a shared permit was asked: the permit is given back unused.
      if (record.live !== live || registry.batches.get(record.facts.spec.batchId)!.cancelled) {
        if (answer.granted) permits.giveBack(record, account.id);
        return;
      }
      if (answer.granted) this.options.submit(record, account.id);
      else this.waitForSlot(record, true);
    });
  }

  private admit(step: Extract<AdmissionStep, { kind: 'admit' }>): void {
    const { registry } = this.options;
    const batch = registry.batches.get(step.batchId)!;
    const head = batch.queue.peek(this.isWaiting);
    if (head?.taskId !== step.taskId) return;
    batch.queue.take(head);
    const user = registry.users.get(step.userId)!;
    user.batches.served(step.batchId);
    registry.usersWithWork.served(step.userId);
    this.options.admit(registry.record(step.taskId), user, registry.planOf(step.userId), step.weight);
  }
}
