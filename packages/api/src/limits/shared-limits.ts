import { CreateWindow, TERMINAL_STATES, type AccountLimits, type AccountRoom, type AccountSignal, type CreateOutcome, type PermitAnswer, type PermitRequest, type ProviderLimits } from '@clipfleet/engine';
import { sql, type ExpressionBuilder } from 'kysely';
import { dbNow, dbNowPlus } from '../db/clock.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/types.ts';
import { lockRows } from '../db/dialect.ts';
import type { Executor } from '../store/executor.ts';
import { InFlightByUser } from '../cluster/in-flight.ts';
import { isLiveWorker } from '../cluster/leases.ts';
import { DEFAULT_LEASE_MS } from '../cluster/ownership.ts';
import { decidePermit, type PermitFacts } from './decide.ts';

export interface SharedLimitsOptions {
  /** This process, as its running slots and fair share are booked (unique among the processes on the database). */
  workerId: string;
  /**
   * A worker counts toward the fair shares this long (ms, by the database's clock) after its last permit (default:
   * three rechecks; a worker held back re-asks every recheck, one with nothing waiting stops asking and drops out).
   */
  workerTtlMs?: number;
  /** A full cap or share is asked again after this long (engine ms). */
  recheckMs?: number;
  /**
   * A slot is swept when the cap looks full, if it is older than this (ms, by the database's clock) and its task
   * has ended, or its worker is dead and its task is not submitting or polling: a process that died between a
   * job's end and its release leaves such slots behind.
   */
  staleSlotMs?: number;
  /**
   * A worker whose heartbeat in `cluster_workers` is younger than this (ms, by the database's clock: the lease
   * time) is alive: its slots of tasks not ended are its own to release. Its task rows lag behind its permits (the
   * attempt is written after the grant, later still under load), so they cannot tell whether its jobs are about to
   * run.
   */
  liveMs?: number;
  /**
   * The engine clock, read once the permit holds its locks: a permit waits for the lock and for earlier writes,
   * and a create booked at the time it was asked would leave the window too early.
   * Default: the request's own time.
   */
  clock?: () => number;
}

/** Task states whose job runs at KIE (the writer records `submitting` before the call). */
const RUNNING_STATES = ['submitting', 'polling'];

/**
 * The submit permit shared by every process on one database (the engine's ProviderLimits port). Each permit is one
 * transaction: it locks the global row and the account's row (every permit takes them in that order), reads the
 * account's gate, its log of recent creates and the running slots, decides (decide.ts), and on a grant inserts the
 * create and the task's slot, all committed before the engine calls createTask. So each account's window and the
 * global cap hold exactly across processes. The window's times are the engine's clock, which every process runs
 * alike; what judges liveness (workers' heartbeats and permits, slots' ages) is the database's clock (db/clock.ts).
 *
 * The gate travels the same way: a 429/455 or 401/402/433 this process met is written to the account's row, and
 * the next permit any process asks for that account is denied with it. Releases and gate changes are written in
 * the background, in order; a failure is logged and only makes the limits stricter for a while.
 */
export class SharedLimits implements ProviderLimits {
  private readonly windows = new Map<string, CreateWindow>();
  /** Permits in flight, by user. */
  private readonly asking = new InFlightByUser();
  /** Writes that need not hold up a permit (config, releases, gate changes), in order. */
  private writes: Promise<void> = Promise.resolve();
  private readonly workerTtlMs: number;
  private readonly recheckMs: number;
  private readonly staleSlotMs: number;
  private readonly liveMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: SharedLimitsOptions,
  ) {
    this.recheckMs = options.recheckMs ?? 1_000;
    this.workerTtlMs = options.workerTtlMs ?? 3 * this.recheckMs;
    this.staleSlotMs = options.staleSlotMs ?? 60_000;
    this.liveMs = options.liveMs ?? DEFAULT_LEASE_MS;
  }

  configure({ maxRunning, accounts }: { maxRunning: number; accounts: AccountLimits[] }): void {
    for (const a of accounts) {
      const known = this.windows.get(a.id);
      if (known) known.reconfigure(a.createLimit, a.windowMs);
      else this.windows.set(a.id, new CreateWindow(a.createLimit, a.windowMs));
    }
    this.background('configure', (trx) => writeConfig(trx, maxRunning, accounts));
  }

  /** This process's view of the account's window: the log as the last permit read it, plus its own grants since. */
  room(accountId: string, now: number): AccountRoom {
    const window = this.window(accountId);
    return { creates: window.free(now), nextAt: window.nextFreeAt(now) };
  }

  acquire(request: PermitRequest): Promise<PermitAnswer> {
    return this.asking.track(request.userId, () => this.decide(request));
  }

  private async decide(request: PermitRequest): Promise<PermitAnswer> {
    // The account rows must exist first: a permit waits for the configuration written before it.
    await this.writes;
    return this.db.transaction().execute(async (trx) => {
      await lockLimits(trx, request.accountId);
      const decided = { ...request, now: Math.max(request.now, this.options.clock?.() ?? request.now) };
      const facts = await this.read(trx, decided);
      const answer = decidePermit(facts);
      this.remember(request.accountId, facts, decided.now, answer.granted);
      if (answer.granted) await this.book(trx, decided);
      return answer;
    });
  }

  /**
   * The window as this permit read it, for `room` (a hint: the permit decides). An unanswered create, and the one
   * just granted, count here from now: this view hears no answer of another worker's, nor every answer of its own
   * in order with the permits, and it must empty by itself or it would never ask again; the next permit reads them.
   */
  private remember(accountId: string, facts: PermitFacts, now: number, granted: boolean): void {
    const unanswered = new Array<number>(facts.unanswered + (granted ? 1 : 0)).fill(now);
    this.window(accountId).replace([...facts.creates, ...unanswered].sort((a, b) => a - b));
  }

  /**
   * Only this worker's slot: a user's new owner adopts the slots of its jobs when it claims the user (leases.ts).
   * A create of the task still unanswered was never sent (a permit given back): it leaves the window.
   */
  release(taskId: string): void {
    const worker = this.options.workerId;
    this.background('release', async (trx) => {
      await trx.deleteFrom('provider_slots').where('task_id', '=', taskId).where('worker_id', '=', worker).execute();
      await trx.deleteFrom('provider_creates').where((eb) => eb.and({ task_id: taskId, worker_id: worker, answered: 0 })).execute();
    });
  }

  /**
   * The create came back (`at`, engine clock): it counts in the window from then, for every process, as it did
   * from its grant until now (however long the attempt's write and the HTTP call took); one that never reached KIE
   * leaves the window. The answer is never earlier than KIE's own count of the create.
   */
  created({ taskId, attempt, at, reached }: CreateOutcome): void {
    const booked = { task_id: taskId, attempt, worker_id: this.options.workerId, answered: 0 };
    this.background('create answer', (trx) =>
      reached
        ? trx.updateTable('provider_creates').set({ at: sql<number>`case when at < ${at} then ${at} else at end`, answered: 1 }).where((eb) => eb.and(booked)).execute()
        : trx.deleteFrom('provider_creates').where((eb) => eb.and(booked)).execute(),
    );
  }

  /** Permits asked for the user's tasks and not answered yet (the user cannot move to another worker meanwhile). */
  pending(userId: string): number {
    return this.asking.of(userId);
  }

  share(accountId: string, signal: AccountSignal): void {
    this.background(`share ${signal.kind}`, (trx) => {
      const row = trx.updateTable('provider_accounts').where('id', '=', accountId);
      switch (signal.kind) {
        case 'throttled':
          // The later deadline wins: two processes throttled at once both wait for the longer one.
          return row.set({ throttled_until: sql<number>`case when throttled_until > ${signal.untilAt} then throttled_until else ${signal.untilAt} end`, throttle_code: signal.code }).execute();
        case 'halted':
          return row.set({ halted_code: signal.code, halted_message: signal.message }).execute();
        case 'resumed':
          return row.set({ halted_code: null, halted_message: null, throttled_until: 0 }).execute();
        case 'level':
          return row.set({ level: signal.level }).execute();
      }
    });
  }

  /** Resolves when every background write so far is done (tests, shutdown). */
  flush(): Promise<void> {
    return this.writes;
  }

  private async read(trx: Executor, request: PermitRequest): Promise<PermitFacts> {
    const { accountId, now } = request;
    const global = await trx.selectFrom('provider_limits').select('max_running').where('id', '=', 1).executeTakeFirst();
    const account = await trx.selectFrom('provider_accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    if (!global || !account) throw new Error(`shared limits: account "${accountId}" is not configured`);
    await trx
      .insertInto('limit_workers')
      .values({ worker_id: this.options.workerId, active_users: request.activeUsers, seen_at: dbNow(trx) })
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ active_users: request.activeUsers, seen_at: dbNow(trx) }))
      .execute();
    // A live worker's unanswered create may still be on its way to KIE: it counts whatever its age. A dead worker's
    // counts from its grant (it cannot be answered now; whatever it sent reached KIE before it died).
    // Judged in the statements themselves (no separate read of the live workers inside the limits' lock).
    const byLiveWorker = (eb: ExpressionBuilder<Database, 'provider_creates'>) =>
      eb.exists(
        eb.selectFrom('cluster_workers').select('cluster_workers.id').whereRef('cluster_workers.id', '=', 'provider_creates.worker_id').where(isLiveWorker(trx, this.liveMs)),
      );
    // Kept two windows: a permit asked a moment before another may get the lock after it and still needs its log.
    await trx
      .deleteFrom('provider_creates')
      .where('account_id', '=', accountId)
      .where('at', '<=', now - 2 * account.window_ms)
      .where((eb) => eb.or([eb('answered', '=', 1), eb.not(byLiveWorker(eb))]))
      .execute();
    const rows = await trx
      .selectFrom('provider_creates')
      .select((eb) => ['at', eb.and([eb('answered', '=', 0), byLiveWorker(eb)]).as('pending')])
      .where('account_id', '=', accountId)
      .orderBy('at')
      .execute();
    // A boolean in Postgres, 0 or 1 in SQLite.
    const pending = (r: (typeof rows)[number]) => Boolean(r.pending);
    // The global cap, lowered by the accounts' shared AIMD levels (an account without one counts its cap).
    const levels = await trx.selectFrom('provider_accounts').select(['level', 'max_running']).execute();
    const cap = Math.min(global.max_running, levels.reduce((n, a) => n + (a.level ?? a.max_running ?? global.max_running), 0));
    let slots = await this.slots(trx);
    if (slots.reduce((n, s) => n + s.count, 0) >= cap) {
      await this.sweep(trx);
      slots = await this.slots(trx);
    }
    const workers = await trx.selectFrom('limit_workers').select(['worker_id', 'active_users']).where('seen_at', '>', dbNowPlus(trx, -this.workerTtlMs)).execute();
    return {
      now,
      workerId: this.options.workerId,
      cap,
      accountId,
      account: {
        createLimit: account.create_limit,
        windowMs: account.window_ms,
        maxRunning: account.max_running,
        throttledUntil: account.throttled_until,
        throttleCode: account.throttle_code,
        halt: account.halted_code === null ? null : { code: account.halted_code, message: account.halted_message ?? '' },
      },
      creates: rows.filter((r) => !pending(r)).map((r) => Number(r.at)),
      unanswered: rows.filter(pending).length,
      slots,
      workers: workers.map((w) => ({ workerId: w.worker_id, activeUsers: w.active_users })),
      recheckMs: this.recheckMs,
    };
  }

  private async slots(trx: Executor): Promise<PermitFacts['slots']> {
    const rows = await trx
      .selectFrom('provider_slots')
      .select(['worker_id', 'account_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['worker_id', 'account_id'])
      .execute();
    return rows.map((r) => ({ workerId: r.worker_id, accountId: r.account_id, count: Number(r.n) }));
  }

  /**
   * Frees slots left behind: a task that ended needs none; a dead process's slot is freed unless its task's job
   * runs (the new owner releases it when the job ends). A live worker's other slots are never taken from it.
   */
  private async sweep(trx: Executor): Promise<void> {
    await trx
      .deleteFrom('provider_slots')
      .where('since', '<', dbNowPlus(trx, -this.staleSlotMs))
      .where((eb) => {
        const task = () => eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.id', '=', 'provider_slots.task_id');
        const live = eb
          .selectFrom('cluster_workers')
          .select('cluster_workers.id')
          .whereRef('cluster_workers.id', '=', 'provider_slots.worker_id')
          .where(isLiveWorker(trx, this.liveMs));
        return eb.or([
          eb.exists(task().where('tasks.state', 'in', [...TERMINAL_STATES])),
          eb.and([eb.not(eb.exists(live)), eb.not(eb.exists(task().where('tasks.state', 'in', RUNNING_STATES)))]),
        ]);
      })
      .execute();
  }

  private async book(trx: Executor, request: PermitRequest): Promise<void> {
    const { accountId, taskId, attempt, now } = request;
    const worker = this.options.workerId;
    await trx.insertInto('provider_creates').values({ account_id: accountId, at: now, task_id: taskId, attempt, worker_id: worker, answered: 0 }).execute();
    await trx
      .insertInto('provider_slots')
      .values({ task_id: taskId, account_id: accountId, worker_id: worker, since: dbNow(trx) })
      .onConflict((oc) => oc.column('task_id').doUpdateSet({ account_id: accountId, worker_id: worker, since: dbNow(trx) }))
      .execute();
  }

  private background(what: string, write: (trx: Executor) => Promise<unknown>): void {
    this.writes = this.writes
      .then(() => this.db.transaction().execute(write))
      .then(
        () => undefined,
        (err: unknown) => console.error(`shared limits: ${what} not written (${err instanceof Error ? err.message : String(err)})`),
      );
  }

  private window(accountId: string): CreateWindow {
    const window = this.windows.get(accountId);
    if (!window) throw new Error(`unknown KIE account "${accountId}"`);
    return window;
  }
}

/** An operator's resume: no account's shared gate is halted any more (throttles run out by themselves). */
export async function clearSharedHalts(trx: Executor): Promise<void> {
  await trx.updateTable('provider_accounts').set({ halted_code: null, halted_message: null }).where('halted_code', 'is not', null).execute();
}

/** Every permit takes the global row, then the account's, in that order: permits run one at a time per database. */
async function lockLimits(trx: Executor, accountId: string): Promise<void> {
  await trx.selectFrom('provider_limits').select('id').where('id', '=', 1).$call(lockRows(trx)).execute();
  await trx.selectFrom('provider_accounts').select('id').where('id', '=', accountId).$call(lockRows(trx)).execute();
}

/**
 * The caps as configured; the gate columns (throttle, halt, level) are left as the processes wrote them. An account
 * no longer configured is dropped with its create log: its level no longer adds to the cap in force (the slots of
 * its jobs still running stay booked: they run at KIE until they end).
 */
async function writeConfig(trx: Executor, maxRunning: number, accounts: AccountLimits[]): Promise<void> {
  const ids = accounts.map((a) => a.id);
  await trx.deleteFrom('provider_accounts').where('id', 'not in', ids).execute();
  await trx.deleteFrom('provider_creates').where('account_id', 'not in', ids).execute();
  await trx
    .insertInto('provider_limits')
    .values({ id: 1, max_running: maxRunning })
    .onConflict((oc) => oc.column('id').doUpdateSet({ max_running: maxRunning }))
    .execute();
  for (const a of accounts) {
    const caps = { create_limit: a.createLimit, window_ms: a.windowMs, max_running: a.maxRunning };
    await trx
      .insertInto('provider_accounts')
      .values({ id: a.id, ...caps, throttled_until: 0 })
      .onConflict((oc) => oc.column('id').doUpdateSet(caps))
      .execute();
  }
}
