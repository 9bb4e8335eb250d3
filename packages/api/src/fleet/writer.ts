import type { EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { addProviderCalls } from '../store/counters.ts';
import { checkpointWal, describeStorageError, durableTransaction, isTransientStorageError } from '../store/durable.ts';
import { insertEvents, type StoredEvent } from '../store/events.ts';
import { applyEvent, foldIntoRow } from './apply-event.ts';
import type { EventBus } from './bus.ts';

type Op =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'attempt'; taskId: string; attempt: number; accountId: string; at: number; done: Settle }
  | { kind: 'remote'; taskId: string; attempt: number; remoteTaskId: string; at: number; done: Settle };

interface Settle {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Ops per transaction. better-sqlite3 is synchronous, so a flush runs without giving the event loop a turn:
 * 250 ops (a few hundred small statements) keep that under ~20 ms; the rest goes in the next flush.
 */
const MAX_OPS_PER_FLUSH = 250;
/** Backoff between attempts at a failed write: doubling from the first to the last. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 5_000;
/** A WAL checkpoint (truncating the file) at most this often, when the queue is empty. */
const CHECKPOINT_EVERY_MS = 30_000;

/** Told when the store stops and starts accepting writes (the fleet closes and opens the engine's storage gate). */
export interface StorageHealth {
  unavailable(message: string): void;
  available(): void;
}

/**
 * The fleet's single, ordered write path. Engine events, attempt records and remote ids go through one queue and
 * are committed in the order they happened, so a late event can never overwrite a newer fact (e.g. a queued
 * retryScheduled clearing a remote id recorded after it). Committed events are then published on the bus.
 *
 * Durable first: a write that fails for a reason that may pass (disk full, read-only, I/O error) is kept at the
 * head of the queue and retried with backoff, in order, until it succeeds; meanwhile `health` hears that the
 * store is unavailable, and the promises of attempt and remote-id records stay pending (nothing is sent to KIE,
 * no remote id reaches the engine, before it is stored). A write that can never succeed (a constraint error: a
 * bug) is isolated op by op and only that op is given up, loudly.
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
  ) {}

  /** Called synchronously by the engine for every event, in sequence order. */
  event(event: EngineEvent): void {
    this.queue.push({ kind: 'event', event });
    this.schedule();
  }

  /** Resolves once the attempt, with its KIE account, is durable (before createTask is called). */
  recordAttempt(taskId: string, attempt: number, accountId: string, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'attempt', taskId, attempt, accountId, at, done: { resolve, reject } });
      this.schedule();
    });
  }

  /** Resolves once KIE's task id is durable (before the engine learns it). */
  recordRemoteId(taskId: string, attempt: number, remoteTaskId: string, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'remote', taskId, attempt, remoteTaskId, at, done: { resolve, reject } });
      this.schedule();
    });
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
    try {
      await this.write(ops, calls);
    } catch (err) {
      if (isTransientStorageError(err)) return this.retryLater(err);
      // A write that will fail every time: find it, give it up, keep the rest.
      console.error(`fleet writer: a write cannot succeed (${describeStorageError(err)}); isolating it`);
      await this.writeOneByOne(ops, calls);
      return;
    }
    this.committed(ops.length, calls);
    if (this.queue.length === 0) await this.maybeCheckpoint();
  }

  private async write(ops: Op[], calls: Map<string, number>): Promise<void> {
    const wallNow = Date.now();
    await durableTransaction(this.db, async (trx) => {
      const stored: StoredEvent[] = [];
      for (const op of ops) {
        if (op.kind === 'event') {
          stored.push(toStored(op.event));
          await applyEvent(trx, op.event, wallNow);
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
      await insertEvents(trx, stored, wallNow);
      await addProviderCalls(trx, calls);
    });
  }

  /** The ops (already at the head of the queue) are durable: settle them and publish their events. */
  private committed(count: number, calls: Map<string, number>): void {
    const ops = this.queue.splice(0, count);
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
    for (const op of ops) {
      if (op.kind === 'event') this.bus.publish(op.event);
      else op.done.resolve();
    }
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
      try {
        await this.write([op], new Map());
      } catch (err) {
        if (isTransientStorageError(err)) return this.retryLater(err);
        console.error(`fleet writer: gave up one ${op.kind} write (${describeStorageError(err)}):`, op.kind === 'event' ? op.event : op.taskId);
        this.queue.splice(0, 1);
        if (op.kind !== 'event') op.done.reject(err);
        continue;
      }
      this.committed(1, new Map());
    }
    try {
      await this.write([], calls);
      this.committed(0, calls);
    } catch (err) {
      if (isTransientStorageError(err)) return this.retryLater(err);
      console.error(`fleet writer: gave up provider call counters (${describeStorageError(err)})`);
      this.committed(0, calls);
    }
  }

  private async maybeCheckpoint(): Promise<void> {
    if (Date.now() - this.lastCheckpoint < CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint = Date.now();
    await checkpointWal(this.db).catch((err) => console.error(`fleet writer: WAL checkpoint failed (${describeStorageError(err)})`));
  }
}

function toStored(event: EngineEvent): StoredEvent {
  return {
    seq: event.seq,
    type: event.type,
    userId: 'userId' in event ? event.userId : null,
    batchId: 'batchId' in event ? event.batchId : null,
    taskId: 'taskId' in event ? event.taskId : null,
    payload: JSON.stringify(event),
    at: event.at,
  };
}
