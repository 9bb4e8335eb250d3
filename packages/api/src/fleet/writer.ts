import type { EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { markCommandsDone } from '../cluster/commands.ts';
import { addProviderCalls } from '../store/counters.ts';
import { checkpointWal, describeStorageError, durableTransaction, isTransientStorageError } from '../store/durable.ts';
import { notify } from '../db/notify.ts';
import { appendEvents, encodeNotice, EVENTS_CHANNEL, FLEET_STREAM } from '../store/events.ts';
import { applyEvent, foldIntoRow } from './apply-event.ts';
import type { Executor } from '../store/executor.ts';
import type { EventBus } from './bus.ts';

/** Every op is stamped with its user and the lease epoch it was made under (null/undefined: no user, no fence). */
type Op = { userId: string | null; epoch: number | undefined } & (
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'attempt'; taskId: string; attempt: number; accountId: string; at: number; done: Settle }
  | { kind: 'remote'; taskId: string; attempt: number; remoteTaskId: string; at: number; done: Settle }
  | { kind: 'commands'; ids: string[]; workerId: string }
);

interface Settle {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Ops per transaction at most, and the time one may take. better-sqlite3 is synchronous, so a flush runs without
 * giving the event loop a turn: a cancelled or finished stretch of tasks costs several statements each (the row,
 * the refund, the balance), and 250 of them held the loop for ~90 ms. The flush stops taking ops once it has run
 * FLUSH_BUDGET_MS and commits what it has; the rest goes in the next flush, in order.
 */
const MAX_OPS_PER_FLUSH = 250;
const FLUSH_BUDGET_MS = 10;
/** Backoff between attempts at a failed write: doubling from the first to the last. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 5_000;
/** A WAL checkpoint (truncating the file) at most this often, when the queue is empty. */
const CHECKPOINT_EVERY_MS = 30_000;

/** The user's work is no longer this process's (a lost lease): the op was not written and is not retried. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/**
 * The lease fence every write goes through (see cluster/ownership.ts). `epochs` runs inside the write's
 * transaction and returns the epochs the users are held at now (locked until commit), or null when nothing is
 * fenced (the embedded mode's single owner).
 */
export interface WriteFence {
  epochOf(userId: string): number | undefined;
  epochs(trx: Executor, userIds: string[]): Promise<ReadonlyMap<string, number> | null>;
  /** Ops the user's work made under `epoch` were refused by the fence: if that is still the epoch held, the work stops. */
  drop(userId: string, epoch: number | undefined): void;
}

/** What one transaction wrote: how many ops from the head it took, its events as stored, and the ops the fence refused. */
interface Written {
  taken: number;
  stored: readonly EngineEvent[];
  fenced: ReadonlySet<Op>;
}

const NOTHING_WRITTEN: Written = { taken: 0, stored: [], fenced: new Set() };

const NO_FENCE: WriteFence = { epochOf: () => 0, epochs: async () => null, drop() {} };

/** Told when the store stops and starts accepting writes (the fleet closes and opens the engine's storage gate). */
export interface StorageHealth {
  unavailable(message: string): void;
  available(): void;
}

/**
 * The fleet's single, ordered write path. Engine events, attempt records and remote ids go through one queue and
 * are committed in the order they happened, so a late event can never overwrite a newer fact (e.g. a queued
 * retryScheduled clearing a remote id recorded after it). Committed events are then published on the bus
 * (this process) and announced with a NOTIFY per batch sent in the same transaction (every process).
 *
 * Durable first: a write that fails for a reason that may pass (disk full, read-only, I/O error) is kept at the
 * head of the queue and retried with backoff, in order, until it succeeds; meanwhile `health` hears that the
 * store is unavailable, and the promises of attempt and remote-id records stay pending (nothing is sent to KIE,
 * no remote id reaches the engine, before it is stored). A write that can never succeed (a constraint error: a
 * bug) is isolated op by op and only that op is given up, loudly.
 *
 * Fenced: each op carries the lease epoch of its user from when it was queued, and the transaction writes it only
 * if the user is still held at that epoch (rows share-locked until commit). An op of a lost user is dropped:
 * events unwritten and unpublished, attempt and remote-id records rejected (nothing is sent to KIE for them).
 */
export class FleetWriter {
  private queue: Op[] = [];
  private calls = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private downSince: number | null = null;
  private lastCheckpoint = Date.now();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly health: StorageHealth = { unavailable() {}, available() {} },
    /** This process's stream for events of no batch and no user (see store/events.ts). */
    private readonly fleetStream = FLEET_STREAM,
    private readonly fence: WriteFence = NO_FENCE,
  ) {}

  private stamp(userId: string | null) {
    return { userId, epoch: userId === null ? undefined : this.fence.epochOf(userId) };
  }

  /** Called synchronously by the engine for every event, in sequence order. */
  event(event: EngineEvent): void {
    this.queue.push({ kind: 'event', event, ...this.stamp('userId' in event ? event.userId : null) });
    this.schedule();
  }

  /** Resolves once the attempt, with its KIE account, is durable (before createTask is called). */
  recordAttempt(userId: string, taskId: string, attempt: number, accountId: string, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'attempt', taskId, attempt, accountId, at, done: { resolve, reject }, ...this.stamp(userId) });
      this.schedule();
    });
  }

  /** Resolves once KIE's task id is durable (before the engine learns it). */
  recordRemoteId(userId: string, taskId: string, attempt: number, remoteTaskId: string, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'remote', taskId, attempt, remoteTaskId, at, done: { resolve, reject }, ...this.stamp(userId) });
      this.schedule();
    });
  }

  /**
   * Marks a user's commands carried out, in the same transaction as the events they caused (queued before this):
   * a crash before that commit leaves them pending, and the next owner carries them out again.
   */
  commandsDone(userId: string, ids: string[], workerId: string): void {
    this.queue.push({ kind: 'commands', ids, workerId, ...this.stamp(userId) });
    this.schedule();
  }

  countCall(op: string, outcome: string): void {
    const key = `${op}|${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  /** Whether the last write failed (and is being retried). */
  get unavailableSince(): number | null {
    return this.downSince;
  }

  /** Ops waiting to be written. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Whether any op of the user waits to be written (its lease must outlast them). */
  writing(userId: string): boolean {
    return this.queue.some((op) => op.userId === userId);
  }

  /** Waits until everything queued so far is committed. */
  async drain(): Promise<void> {
    while (!this.closed && (this.queue.length > 0 || this.flushing || this.calls.size > 0)) {
      if (this.flushing) await this.flushing;
      else if (this.retryTimer) await new Promise((r) => setTimeout(r, RETRY_FIRST_MS));
      else await this.flush();
    }
  }

  /** Stops retrying; what is still queued is reported (a stop while the store is down cannot write it). */
  close(): number {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.retryTimer || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0 || this.calls.size > 0) this.schedule();
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const ops = this.queue.slice(0, MAX_OPS_PER_FLUSH);
    // A copy: calls counted while this write runs belong to the next one.
    const calls = new Map(this.calls);
    if (ops.length === 0 && calls.size === 0) return;
    let written: Written;
    try {
      written = await this.write(ops, calls);
    } catch (err) {
      if (isTransientStorageError(err)) return this.retryLater(err);
      // A write that will fail every time: find it, give it up, keep the rest.
      console.error(`fleet writer: a write cannot succeed (${describeStorageError(err)}); isolating it`);
      await this.writeOneByOne(ops, calls);
      return;
    }
    this.committed(calls, written);
    if (this.queue.length === 0) await this.maybeCheckpoint();
  }

  /**
   * Writes the ops in one transaction, from the head until the flush budget is spent (at least one); returns how
   * many it took, their events as stored (numbered in their streams) and the ops the lease fence refused (not written).
   */
  private async write(ops: Op[], calls: Map<string, number>): Promise<Written> {
    const wallNow = Date.now();
    return durableTransaction(this.db, async (trx) => {
      const started = performance.now();
      const users = [...new Set(ops.flatMap((op) => (op.userId === null ? [] : [op.userId])))];
      const held = await this.fence.epochs(trx, users);
      const fenced = new Set(held === null ? [] : ops.filter((op) => op.userId !== null && (op.epoch === undefined || held.get(op.userId) !== op.epoch)));
      const events: EngineEvent[] = [];
      let taken = 0;
      for (const op of ops) {
        if (taken > 0 && performance.now() - started > FLUSH_BUDGET_MS) break;
        taken++;
        if (fenced.has(op)) continue;
        if (op.kind === 'event') {
          events.push(op.event);
          await applyEvent(trx, op.event, wallNow);
        } else if (op.kind === 'commands') {
          await markCommandsDone(trx, op.ids, op.workerId, wallNow);
        } else {
          // The facts of task.submitting / task.submitted, folded by the engine's reducer and made durable
          // before createTask is called and before the engine learns the remote id.
          const fact =
            op.kind === 'attempt'
              ? { type: 'task.submitting' as const, taskId: op.taskId, attempt: op.attempt, accountId: op.accountId, at: op.at }
              : { type: 'task.submitted' as const, taskId: op.taskId, attempt: op.attempt, remoteTaskId: op.remoteTaskId, at: op.at };
          await foldIntoRow(trx, op.taskId, fact, wallNow);
        }
      }
      const appended = await appendEvents(trx, events, this.fleetStream, wallNow);
      // Delivered when this commits, to every process (progress streams on other API processes read the rows).
      for (const notice of appended.batches) await notify(trx, EVENTS_CHANNEL, encodeNotice(notice));
      await addProviderCalls(trx, calls);
      return { taken, stored: appended.events, fenced };
    });
  }

  /** The ops taken (at the head of the queue) are durable: settle them and publish their events as stored. */
  private committed(calls: Map<string, number>, { taken, stored, fenced }: Written): void {
    const ops = this.queue.splice(0, taken);
    for (const [key, n] of calls) {
      const left = (this.calls.get(key) ?? 0) - n;
      if (left > 0) this.calls.set(key, left);
      else this.calls.delete(key);
    }
    if (this.downSince !== null) {
      console.error(`fleet writer: storage writable again after ${((Date.now() - this.downSince) / 1000).toFixed(1)} s (${this.failures} failed attempts)`);
      this.downSince = null;
      this.failures = 0;
      this.health.available();
    }
    const lost = new Map<string, number | undefined>();
    for (const op of ops) {
      if (fenced.has(op)) {
        lost.set(op.userId!, op.epoch);
        if (op.kind === 'attempt' || op.kind === 'remote') op.done.reject(new LeaseLostError(`user ${op.userId} is no longer run by this process: ${op.kind} of ${op.taskId} not recorded`));
      } else if (op.kind === 'attempt' || op.kind === 'remote') op.done.resolve();
    }
    for (const event of stored) this.bus.publish(event);
    for (const [userId, epoch] of lost) this.fence.drop(userId, epoch);
  }

  private retryLater(err: unknown): void {
    this.failures++;
    if (this.downSince === null) {
      this.downSince = Date.now();
      const message = describeStorageError(err);
      // One line when it starts (and when it ends): storage trouble, named as such, not a provider failure.
      console.error(`fleet writer: storage cannot be written (${message}); retrying in order, admissions paused`);
      this.health.unavailable(message);
    }
    if (this.closed) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(20, this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private async writeOneByOne(ops: Op[], calls: Map<string, number>): Promise<void> {
    for (const op of ops) {
      let written: Written;
      try {
        written = await this.write([op], new Map());
      } catch (err) {
        if (isTransientStorageError(err)) return this.retryLater(err);
        console.error(`fleet writer: gave up one ${op.kind} write (${describeStorageError(err)}):`, op.kind === 'event' ? op.event : op.kind === 'commands' ? op.ids : op.taskId);
        this.queue.splice(0, 1);
        if (op.kind === 'attempt' || op.kind === 'remote') op.done.reject(err);
        continue;
      }
      this.committed(new Map(), written);
    }
    try {
      await this.write([], calls);
      this.committed(calls, NOTHING_WRITTEN);
    } catch (err) {
      if (isTransientStorageError(err)) return this.retryLater(err);
      console.error(`fleet writer: gave up provider call counters (${describeStorageError(err)})`);
      this.committed(calls, NOTHING_WRITTEN);
    }
  }

  private async maybeCheckpoint(): Promise<void> {
    if (Date.now() - this.lastCheckpoint < CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint = Date.now();
    await checkpointWal(this.db).catch((err) => console.error(`fleet writer: WAL checkpoint failed (${describeStorageError(err)})`));
  }
}
