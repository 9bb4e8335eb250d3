import type { EngineClock } from '../ports/clock.ts';
import type { PermitAnswer, ProviderLimits } from '../ports/limits.ts';
import type { AccountHealth } from './accountHealth.ts';
import type { HealthControl } from './health.ts';
import type { TaskRecord } from './records.ts';

export interface PermitsOptions {
  clock: EngineClock;
  health: HealthControl;
  limits: ProviderLimits;
  /** Users with work in this process (the shared limits split the global cap by them). */
  activeUsers: () => number;
  /** An answer came later (a shared permit): admission runs again. */
  onLateAnswer: () => void;
}

/**
 * Which KIE account a task's next createTask goes to, and its permit. Tasks are spread over the accounts with
 * room (open, below their own running cap, a create free in their window): the one with the most creates left,
 * then the least loaded against its AIMD level, then config order. A task holds its account from the permit until its job stops.
 */
export class Permits {
  /** Permits asked and not answered yet, by account: they may take the creates the window still shows. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly options: PermitsOptions) {}

  /** Creates the account's window leaves for new asks. */
  private creates(account: AccountHealth, now: number): number {
    return this.options.limits.room(account.id, now).creates - (this.pending.get(account.id) ?? 0);
  }

  /** Creates the planner may count on now, over every account with room. */
  createsFree(now: number): number {
    let free = 0;
    for (const account of this.options.health.configured()) {
      if (account.hasRoom(now)) free += Math.max(0, Math.min(this.creates(account, now), account.slots() - account.running));
    }
    return free;
  }

  /** The account the next create goes to, or null when none has room. */
  pick(now: number): AccountHealth | null {
    let best: AccountHealth | null = null;
    let bestCreates = 0;
    for (const account of this.options.health.configured()) {
      if (!account.hasRoom(now)) continue;
      const creates = this.creates(account, now);
      if (creates <= 0) continue;
      if (best === null || creates > bestCreates || (creates === bestCreates && account.load() < best.load())) {
        best = account;
        bestCreates = creates;
      }
    }
    return best;
  }

  /** When creates are what admission waits for: the earliest time one frees on an account that could take it. */
  nextFreeAt(now: number): number | null {
    let at: number | null = null;
    for (const account of this.options.health.configured()) {
      if (!account.isOpen() || account.running >= account.slots()) continue;
      const next = Math.max(this.options.limits.room(account.id, now).nextAt, account.blockedUntil);
      if (at === null || next < at) at = next;
    }
    return at;
  }

  /**
   * Asks for the task's permit on `account` (the task holds the account meanwhile). `answered` hears the answer,
   * at once from an in-memory permit, later from a shared one; a denial has already released the account.
   */
  ask(record: TaskRecord, account: AccountHealth, answered: (answer: PermitAnswer) => void): void {
    const { spec, attempts } = record.facts;
    this.hold(record, account.id);
    const request = { accountId: account.id, taskId: spec.taskId, userId: spec.userId, attempt: Math.max(1, attempts), now: this.options.clock.now(), activeUsers: this.options.activeUsers() };
    this.pending.set(account.id, (this.pending.get(account.id) ?? 0) + 1);
    const settle = (answer: PermitAnswer) => {
      this.pending.set(account.id, this.pending.get(account.id)! - 1);
      if (!answer.granted) {
        this.drop(record, account.id);
        account.denied(answer);
      }
      answered(answer);
    };
    const answer = this.options.limits.acquire(request);
    if (!(answer instanceof Promise)) return settle(answer);
    answer
      // A permit store that fails is a full account for a moment, not a provider failure.
      .catch((err): PermitAnswer => {
        console.error(`submit permit failed (${err instanceof Error ? err.message : String(err)}); asking again shortly`);
        return { granted: false, reason: 'running', retryAt: this.options.clock.now() + 1_000 };
      })
      .then((late) => {
        settle(late);
        this.options.onLateAnswer();
      });
  }

  /** The task (e.g. resumed polling after a restart) holds this account's slot. */
  hold(record: TaskRecord, accountId: string): void {
    const account = this.options.health.account(accountId);
    if (!account || record.account !== null) return;
    record.account = accountId;
    account.running++;
  }

  /** A permit granted after its task stopped wanting it (paused, cancelled): given back unused. */
  giveBack(record: TaskRecord, accountId: string): void {
    if (record.account === accountId) this.release(record);
    else if (record.account === null) this.options.limits.release(record.facts.spec.taskId);
  }

  /** The task's job stopped running: its account's slot is free, here and in the shared limits. */
  release(record: TaskRecord): void {
    if (record.account === null) return;
    this.drop(record, record.account);
    this.options.limits.release(record.facts.spec.taskId);
  }

  private drop(record: TaskRecord, accountId: string): void {
    if (record.account !== accountId) return;
    record.account = null;
    this.options.health.account(accountId)!.running--;
  }
}
