import {
  createSupervisor,
  hydrateSupervisor,
  type EngineClock,
  type FleetConfig,
  type KieGateway,
  type Supervisor,
  type SupervisorOptions,
  type TaskSpec,
} from '@clipfleet/engine';
import { hostname } from 'node:os';
import type { Db } from '../db/database.ts';
import { dbKind } from '../db/dialect.ts';
import { FLEET_STREAM } from '../store/events.ts';
import { markBatchFinished } from '../store/batches.ts';
import { allPaidPlans } from '../store/payments.ts';
import { EventBus } from './bus.ts';
import { loadUnfinished } from './hydrate.ts';
import { persistingGateway } from './persisting-gateway.ts';
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
  /**
   * This process's own event stream (events of no batch and no user: provider gate, storage, config). Default:
   * `fleet` on SQLite (one process); on Postgres one per live process (host and pid), as several write at once.
   */
  eventStream?: string;
}

/** The running fleet: one supervisor wired to the database (events, attempts, remote ids) and the live bus. */
export interface Fleet {
  readonly supervisor: Supervisor;
  readonly bus: EventBus;
  readonly clock: EngineClock;
  /** Batches resumed from the database at start-up. */
  readonly resumed: string[];
  addBatch(batchId: string, userId: string, tasks: TaskSpec[], paused: boolean): void;
  /** Resolves when every write so far is committed (tests and shutdown). */
  flush(): Promise<void>;
  /** Whether the store accepts writes; since when it does not; writes waiting. */
  storage(): { writable: boolean; unavailableSince: number | null; backlog: number };
  stop(): Promise<void>;
}

/**
 * Starts the supervisor. With unfinished batches in the database it is hydrated from their durable task facts:
 * tasks with a remote id are polled, never resubmitted. The writer numbers events in their streams as it stores them
 * (a batch's log continues after its last stored event), so the engine's own numbering is not carried over.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const { db, clock } = opts;
  const bus = new EventBus();
  let supervisor: Supervisor | undefined;
  // The writer closes and opens the engine's storage gate (bound once the supervisor exists).
  let storageDown: string | null = null;
  const eventStream = opts.eventStream ?? (dbKind(db) === 'postgres' ? `${FLEET_STREAM}:${hostname()}:${process.pid}` : FLEET_STREAM);
  const writer = new FleetWriter(db, bus, {
    unavailable: (message) => {
      storageDown = message;
      supervisor?.storageUnavailable(message);
    },
    available: () => {
      storageDown = null;
      supervisor?.storageAvailable();
    },
  }, eventStream);
  const options: SupervisorOptions = {
    clock,
    gateway: persistingGateway(opts.gateway, { db, writer, clock }),
    config: opts.config,
    userPlans: await allPaidPlans(db),
    onEvent: (event) => writer.event(event),
    ...(opts.random ? { random: opts.random } : {}),
  };
  const { batches, ended } = await loadUnfinished(db);
  for (const batchId of ended) await markBatchFinished(db, batchId);
  // A cancel that was accepted but not finished before the crash is carried out by the hydrate itself.
  supervisor = batches.length > 0 ? hydrateSupervisor(options, batches) : createSupervisor(options);
  if (storageDown !== null) supervisor.storageUnavailable(storageDown);
  const running = supervisor;

  let stopped = false;
  return {
    supervisor: running,
    bus,
    clock,
    resumed: batches.map((b) => b.batchId),
    addBatch(batchId, userId, tasks, paused) {
      running.addBatch({ batchId, userId, tasks, paused });
    },
    flush: () => writer.drain(),
    storage: () => ({ writable: writer.unavailableSince === null, unavailableSince: writer.unavailableSince, backlog: writer.backlog }),
    async stop() {
      if (stopped) return;
      stopped = true;
      running.stop();
      // A store that stays unwritable cannot be waited for: what is lost is only what a kill -9 would lose.
      await Promise.race([writer.drain(), new Promise((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
      const left = writer.close();
      if (left > 0) console.error(`fleet: stopped with ${left} writes not stored (the store could not be written)`);
    },
  };
}
