import {
  createSupervisor,
  type EngineClock,
  type FleetConfig,
  type KieGateway,
  type ProviderLimits,
  type Supervisor,
  type SupervisorOptions,
  type TaskSpec,
} from '@clipfleet/engine';
import { hostname } from 'node:os';
import { COMMANDS_CHANNEL, pendingCommands, type FleetCommand } from '../cluster/commands.ts';
import { SingleOwner, type Ownership } from '../cluster/ownership.ts';
import type { Db } from '../db/database.ts';
import { dbKind } from '../db/dialect.ts';
import { listen } from '../db/notify.ts';
import { SharedLimits } from '../limits/index.ts';
import { markBatchFinished } from '../store/batches.ts';
import { FLEET_STREAM } from '../store/events.ts';
import { allPaidPlans, planOf } from '../store/payments.ts';
import { EventBus } from './bus.ts';
import { carryOut } from './commands.ts';
import { loadUnfinished } from './hydrate.ts';
import { persistingGateway } from './persisting-gateway.ts';
import { InFlightByUser } from '../cluster/in-flight.ts';
import { FleetWriter } from './writer.ts';

/** How long a stop waits for pending writes. */
const STOP_DRAIN_MS = 10_000;

export interface FleetOptions {
  db: Db;
  /** The KIE gateway (real HTTP client, or the simulator): the fleet wraps it with persistence. */
  gateway: KieGateway;
  clock: EngineClock;
  config: FleetConfig;
  random?: () => number;
  /** Which users this process runs (default: every user, the embedded mode's single writer). */
  ownership?: Ownership;
  /** Runs with every lease heartbeat (a worker watching settings changed by other processes). */
  onHeartbeat?: () => Promise<void>;
  /**
   * This process's own event stream (events of no batch and no user: provider gate, storage, config). Default:
   * `fleet` on SQLite (one process); on Postgres one per live process (host and pid), as several write at once.
   */
  eventStream?: string;
  /**
   * The submit permit (windows, global cap, gate) shared with the other processes on this database. Default: on
   * Postgres, the shared limits (limits/) under `workerId`; on SQLite (one process), the engine's in-memory ones.
   */
  limits?: ProviderLimits;
  /** This process among the workers sharing the limits (default: its ownership's worker id). */
  workerId?: string;
}

/** The running fleet: one supervisor wired to the database (events, attempts, remote ids) and the live bus. */
export interface Fleet {
  readonly supervisor: Supervisor;
  readonly bus: EventBus;
  readonly clock: EngineClock;
  readonly ownership: Ownership;
  /** Batches resumed from the database (at start-up, and with every user taken over since). */
  readonly resumed: string[];
  addBatch(batchId: string, userId: string, tasks: TaskSpec[], paused: boolean): void;
  /** Carries out the commands queued for the users this process owns (a NOTIFY, a poll, or a local enqueue). */
  runCommands(): void;
  /** Resolves when every write so far is committed (tests and shutdown). */
  flush(): Promise<void>;
  /** Whether the store accepts writes; since when it does not; writes waiting. */
  storage(): { writable: boolean; unavailableSince: number | null; backlog: number };
  stop(): Promise<void>;
}

/**
 * Starts the supervisor and takes over the users `ownership` gives it (in the embedded mode: every user at once).
 * A user's unfinished batches are hydrated from their durable task facts: tasks with a remote id are polled, never
 * resubmitted; a task caught between attempt and remote id is an uncertain submit. A lost user's work stops at
 * once and silently (the fence refuses whatever was still queued for them).
 * The writer numbers events in their streams as it stores them (a batch's log continues after its last stored
 * event), so the engine's own numbering is not carried over.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const { db, clock } = opts;
  const ownership = opts.ownership ?? new SingleOwner();
  const bus = new EventBus();
  let supervisor: Supervisor | undefined;
  // The writer closes and opens the engine's storage gate (bound once the supervisor exists).
  let storageDown: string | null = null;
  const eventStream = opts.eventStream ?? (dbKind(db) === 'postgres' ? `${FLEET_STREAM}:${hostname()}:${process.pid}` : FLEET_STREAM);
  const writer = new FleetWriter(
    db,
    bus,
    {
      unavailable: (message) => {
        storageDown = message;
        supervisor?.storageUnavailable(message);
      },
      available: () => {
        storageDown = null;
        supervisor?.storageAvailable();
      },
    },
    eventStream,
    ownership,
  );
  const creating = new InFlightByUser();
  const sharedLimits = opts.limits || dbKind(db) !== 'postgres' ? undefined : new SharedLimits(db, { workerId: opts.workerId ?? ownership.workerId, clock: () => clock.now(), ...(ownership.leaseMs ? { liveMs: ownership.leaseMs } : {}) });
  const options: SupervisorOptions = {
    clock,
    gateway: persistingGateway(opts.gateway, { db, writer, clock, creating }),
    config: opts.config,
    userPlans: await allPaidPlans(db),
    onEvent: (event) => writer.event(event),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.limits ? { limits: opts.limits } : sharedLimits ? { limits: sharedLimits } : {}),
  };
  const running = createSupervisor(options);
  supervisor = running;
  if (storageDown !== null) running.storageUnavailable(storageDown);

  // Batches not finished, per user: a user with none (and nothing left to write) can be given back.
  const open = new Map<string, Set<string>>();
  const opened = (userId: string, batchId: string) => {
    let set = open.get(userId);
    if (!set) open.set(userId, (set = new Set()));
    set.add(batchId);
  };
  const stopWatching = bus.subscribeAll((event) => {
    if (event.type === 'batch.finished') open.get(event.userId)?.delete(event.batchId);
    if (event.type === 'task.requeued') opened(event.userId, event.batchId);
  });

  const resumed: string[] = [];
  async function adopt(scope: { userId?: string; batchIds?: string[]; except?: string[] }) {
    const { batches, ended } = await loadUnfinished(db, scope);
    for (const batchId of ended) await markBatchFinished(db, batchId);
    for (const b of batches) opened(b.userId, b.batchId);
    // A cancel that was accepted but not finished before the crash is carried out by the hydrate itself.
    running.adopt(batches);
    resumed.push(...batches.map((b) => b.batchId));
  }

  const host = { db, supervisor: running, adopt, opened };
  const carryOutNow = (command: FleetCommand, userId: string) => void carryOut(command, userId, host);
  let executing: Promise<void> | undefined;
  let executeAgain = false;
  async function executeCommands(): Promise<void> {
    const commands = await pendingCommands(db, ownership.held());
    const byUser = new Map<string, string[]>();
    for (const { id, userId, command } of commands) {
      if (ownership.epochOf(userId) === undefined) continue;
      await carryOut(command, userId, host);
      byUser.set(userId, [...(byUser.get(userId) ?? []), id]);
    }
    for (const [userId, ids] of byUser) writer.commandsDone(userId, ids, ownership.workerId);
  }
  function runCommands(): void {
    if (stopped) return;
    if (executing) {
      executeAgain = true;
      return;
    }
    executing = executeCommands()
      .catch((err) => console.error(`fleet: commands not carried out (${(err as Error).message}); retried at the next heartbeat`))
      .finally(() => {
        executing = undefined;
        if (executeAgain) {
          executeAgain = false;
          runCommands();
        }
      });
  }

  let stopped = false;
  // A command for a user we run is carried out at once; for another, we may have to claim the user.
  const unlisten = await listen(db, COMMANDS_CHANNEL, (userId) => (ownership.epochOf(userId) !== undefined ? runCommands() : ownership.poke()), {
    onReconnect: () => (ownership.poke(), runCommands()),
  });
  await ownership.start({
    async claimed(userId) {
      if (userId === null) await adopt({});
      else {
        const plan = await planOf(db, userId, '');
        if (plan) carryOutNow({ kind: 'setPlan', planId: plan }, userId);
        // A batch whose addBatch is still queued is added by it (its batch.added event included), not hydrated.
        const adding = (await pendingCommands(db, [userId])).flatMap(({ command: c }) => (c.kind === 'addBatch' ? [c.batchId] : []));
        await adopt({ userId, except: adding });
      }
      runCommands();
    },
    lost(userId, why) {
      const dropped = running.releaseUser(userId);
      open.delete(userId);
      if (why === 'rebalanced') console.log(`fleet: user ${userId} given back to balance the workers (${dropped.length} batch(es))`);
      else if (why !== 'idle') console.error(`fleet: user ${userId}'s lease ${why === 'fenced' ? 'refused a write' : why}; stopped ${dropped.length} batch(es) here`);
    },
    idle: (userId) => (open.get(userId)?.size ?? 0) === 0 && writer.backlog === 0 && !executing,
    movable: (userId) => !writer.writing(userId) && !executing && creating.of(userId) === 0 && (sharedLimits?.pending(userId) ?? 0) === 0,
    status: () => JSON.stringify(running.status()),
    tick() {
      runCommands();
      opts.onHeartbeat?.().catch((err) => console.error(`fleet: heartbeat task failed (${(err as Error).message})`));
    },
  });

  return {
    supervisor: running,
    bus,
    clock,
    ownership,
    resumed,
    addBatch(batchId, userId, tasks, paused) {
      running.addBatch({ batchId, userId, tasks, paused });
      opened(userId, batchId);
    },
    runCommands,
    flush: () => writer.drain(),
    storage: () => ({ writable: writer.unavailableSince === null, unavailableSince: writer.unavailableSince, backlog: writer.backlog }),
    async stop() {
      if (stopped) return;
      stopped = true;
      stopWatching();
      await unlisten();
      await executing;
      running.stop();
      // A store that stays unwritable cannot be waited for: what is lost is only what a kill -9 would lose.
      await Promise.race([writer.drain(), new Promise((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
      const left = writer.close();
      if (left > 0) console.error(`fleet: stopped with ${left} writes not stored (the store could not be written)`);
      await ownership.stop();
    },
  };
}
