import type { EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { addProviderCalls } from '../store/counters.ts';
import { insertEvents, type StoredEvent } from '../store/events.ts';
import { applyEvent, foldIntoRow } from './apply-event.ts';
import type { EventBus } from './bus.ts';

type Op =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'attempt'; taskId: string; attempt: number; at: number; done: Settle }
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

/**
 * The fleet's single, ordered write path. Engine events, attempt records and remote ids go through one queue and
 * are committed in the order they happened, so a late event can never overwrite a newer fact (e.g. a queued
 * retryScheduled clearing a remote id recorded after it). Committed events are then published on the bus.
 */
export class FleetWriter {
  private queue: Op[] = [];
  private calls = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  /** Called synchronously by the engine for every event, in sequence order. */
  event(event: EngineEvent): void {
    this.queue.push({ kind: 'event', event });
    this.schedule();
  }

  /** Resolves once the attempt is durable (before createTask is called). */
  recordAttempt(taskId: string, attempt: number, at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'attempt', taskId, attempt, at, done: { resolve, reject } });
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

  /** Waits until everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.calls.size > 0) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
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
    const ops = this.queue.splice(0, MAX_OPS_PER_FLUSH);
    const calls = this.calls;
    this.calls = new Map();
    if (ops.length === 0 && calls.size === 0) return;
    const wallNow = Date.now();
    try {
      await this.db.transaction().execute(async (trx) => {
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
                ? { type: 'task.submitting' as const, taskId: op.taskId, attempt: op.attempt, at: op.at }
                : { type: 'task.submitted' as const, taskId: op.taskId, attempt: op.attempt, remoteTaskId: op.remoteTaskId, at: op.at };
            await foldIntoRow(trx, op.taskId, fact, wallNow);
          }
        }
        await insertEvents(trx, stored, wallNow);
        await addProviderCalls(trx, calls);
      });
    } catch (err) {
      console.error(`fleet writer: could not persist ${ops.length} operations:`, err);
      for (const op of ops) if (op.kind !== 'event') op.done.reject(err);
      return;
    }
    for (const op of ops) {
      if (op.kind === 'event') this.bus.publish(op.event);
      else op.done.resolve();
    }
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
