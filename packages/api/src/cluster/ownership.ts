import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/database.ts';
import type { WriteFence } from '../fleet/writer.ts';
import type { Executor } from '../store/executor.ts';
import { claimOne, countUsersWithWork, heldEpochs, liveWorkers, markWorkerStopped, registerWorker, releaseLease, renewLeases, workerHeartbeat } from './leases.ts';

/** This process among the workers (leases, shared limits): host, pid and a random suffix (pids are reused). */
function workerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export type LossReason = 'taken over' | 'fenced' | 'not renewed' | 'idle' | 'rebalanced';

/** What the fleet does when ownership changes. */
export interface OwnershipHandlers {
  /** The user is this process's now (`null`: every user, the embedded mode): adopt their unfinished batches. */
  claimed(userId: string | null): Promise<void>;
  /** The lease is gone (taken over, refused by the fence, not renewed in time, or given back idle): stop the user's work without writing. */
  lost(userId: string, why: LossReason): void;
  /** Nothing of the user's is left to run or to write: the lease can be given back. */
  idle(userId: string): boolean;
  /**
   * The user's work may move to another worker now without loss: nothing of theirs is in flight (no createTask
   * awaiting its answer, no permit asked, nothing left to write, no command running), so the new owner hydrates
   * it as after a takeover, never as an uncertain submit.
   */
  movable(userId: string): boolean;
  /** The supervisor's status as JSON, published with the heartbeat for the API processes. */
  status(): string;
  /** Every heartbeat: look for commands (the safety net under NOTIFY). */
  tick(): void;
}

/**
 * Which users this process runs, and the fence its writes go through. Embedded (SQLite) mode has one owner for
 * everyone (`SingleOwner`: the writer lock is the lease); on Postgres, `LeaseOwner` claims users one by one.
 */
export interface Ownership extends WriteFence {
  readonly workerId: string;
  /** How long a lease lasts without renewal (null: the embedded single owner holds everyone for good). */
  readonly leaseMs: number | null;
  start(handlers: OwnershipHandlers): Promise<void>;
  /** The users held now (the embedded single owner holds everyone without naming them: none). */
  held(): string[];
  /** New work may be waiting (a batch or a command): look for users to claim soon. */
  poke(): void;
  stop(): Promise<void>;
}

/** The embedded mode's trivial lease: the single-writer lock already makes this process the owner of every user. */
export class SingleOwner implements Ownership {
  readonly workerId = workerName();
  readonly leaseMs = null;
  async start(handlers: OwnershipHandlers): Promise<void> {
    await handlers.claimed(null);
  }
  held(): string[] {
    return [];
  }
  epochOf(): number {
    return 0;
  }
  async epochs(): Promise<null> {
    return null;
  }
  drop(): void {}
  poke(): void {}
  async stop(): Promise<void> {}
}

export interface LeaseOptions {
  /** How long a lease lasts without renewal: a dead worker's users are claimed within it. Default 10 s. */
  ttlMs?: number;
  /** How often leases are renewed and claims looked for. Default a third of the lease. */
  heartbeatMs?: number;
}

export const DEFAULT_LEASE_MS = 10_000;

/**
 * Leases on Postgres. Each heartbeat renews what is held (a lease taken over since is lost), gives back users left
 * idle, publishes the status, gives back users over its fair share (users with work / live workers) once they are
 * at a safe point, and claims users with work up to that share, so a new batch, a dead worker's users or a worker
 * joining late are served within a heartbeat or a lease time. A worker that cannot renew
 * (its database is gone) drops its users itself before the lease can expire, so it never runs a user another
 * worker may have claimed.
 */
export class LeaseOwner implements Ownership {
  readonly workerId = workerName();
  private readonly leases = new Map<string, number>();
  readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private handlers: OwnershipHandlers | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private renewedAt = 0;
  private stopped = false;

  constructor(
    private readonly db: Db,
    opts: LeaseOptions = {},
  ) {
    this.leaseMs = opts.ttlMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(100, Math.floor(this.leaseMs / 3));
  }

  async start(handlers: OwnershipHandlers): Promise<void> {
    this.handlers = handlers;
    const now = performance.now();
    await registerWorker(this.db, { id: this.workerId, pid: process.pid, host: hostname() });
    this.renewedAt = now;
    await this.tick();
    this.timer = setInterval(() => this.poke(), this.heartbeatMs);
    this.timer.unref();
  }

  held(): string[] {
    return [...this.leases.keys()];
  }

  epochOf(userId: string): number | undefined {
    return this.leases.get(userId);
  }

  epochs(trx: Executor, userIds: string[]): Promise<ReadonlyMap<string, number>> {
    return heldEpochs(trx, this.workerId, userIds);
  }

  /** The fence refused ops made under `epoch`: if it is the one held, the lease was taken over (a stale op is only dropped). */
  drop(userId: string, epoch: number | undefined): void {
    if (epoch !== undefined && this.leases.get(userId) === epoch) this.lose(userId, 'fenced');
  }

  poke(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err) => console.error(`cluster: heartbeat failed (${(err as Error).message})`))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Runs one heartbeat now (after the one in flight, if any) and resolves when it is done. */
  async heartbeat(): Promise<void> {
    while (this.ticking) await this.ticking;
    this.poke();
    await this.ticking;
  }

  private lose(userId: string, why: LossReason): void {
    this.leases.delete(userId);
    this.handlers!.lost(userId, why);
  }

  private async tick(): Promise<void> {
    const h = this.handlers!;
    // The database's clock judges the leases; here only the time since the last renewal was sent matters, and a
    // monotonic clock measures it (a wall clock stepped back would keep users past their lease).
    const now = performance.now();
    try {
      for (const userId of await renewLeases(this.db, this.workerId, this.leases, this.leaseMs)) this.lose(userId, 'taken over');
      this.renewedAt = now;
    } catch (err) {
      // Not renewed: once the lease may have run out, another worker may own these users.
      if (now - this.renewedAt >= this.leaseMs - this.heartbeatMs) {
        if (this.leases.size > 0) console.error(`cluster: leases not renewed for ${Math.round(now - this.renewedAt)} ms; dropping ${this.leases.size} user(s)`);
        for (const userId of [...this.leases.keys()]) this.lose(userId, 'not renewed');
      }
      throw err;
    }
    for (const [userId, epoch] of [...this.leases]) {
      if (!h.idle(userId)) continue;
      await releaseLease(this.db, this.workerId, userId, epoch);
      this.lose(userId, 'idle');
    }
    await workerHeartbeat(this.db, this.workerId, h.status());
    h.tick();
    if (this.stopped) return;
    const share = await this.fairShare();
    // Over the share (a worker joined, or users finished elsewhere): users at a safe point go back, for the
    // workers under theirs to claim. The work stops here first, then the lease is given up.
    for (const [userId, epoch] of [...this.leases]) {
      if (this.leases.size <= share) break;
      if (!h.movable(userId)) continue;
      this.lose(userId, 'rebalanced');
      await releaseLease(this.db, this.workerId, userId, epoch);
    }
    while (this.leases.size < share && !this.stopped) {
      const claim = await claimOne(this.db, this.workerId, this.leaseMs);
      if (!claim) break;
      this.leases.set(claim.userId, claim.epoch);
      await h.claimed(claim.userId);
    }
  }

  /** Users with work, spread evenly over the live workers (rounded up: every user gets an owner). */
  private async fairShare(): Promise<number> {
    const workers = Math.max(1, (await liveWorkers(this.db, this.leaseMs)).length);
    return Math.ceil((await countUsersWithWork(this.db)) / workers);
  }

  /** Gives every lease back (after the fleet has written what it had): the others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const [userId, epoch] of this.leases) await releaseLease(this.db, this.workerId, userId, epoch).catch(() => {});
    this.leases.clear();
    await markWorkerStopped(this.db, this.workerId).catch(() => {});
  }
}
