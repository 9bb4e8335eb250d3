import {
  createSupervisor,
  hydrateSupervisor,
  type EngineClock,
  type FleetConfig,
  type KieGateway,
  type ProviderLimits,
  type Supervisor,
  type SupervisorOptions,
  type TaskSpec,
} from '@clipfleet/engine';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { dbKind } from '../db/dialect.ts';
import { SharedLimits } from '../limits/index.ts';
import { markBatchFinished } from '../store/batches.ts';
import { maxSeq } from '../store/events.ts';
import { allPaidPlans } from '../store/payments.ts';
import { EventBus } from './bus.ts';
import { loadUnfinished } from './hydrate.ts';
import { persistingGateway } from './persisting-gateway.ts';
import { FleetWriter } from './writer.ts';

function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

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
   * The submit permit (windows, global cap, gate) shared with the other processes on this database. Default: on
   * Postgres, the shared limits (limits/) under `workerId`; on SQLite (one process), the engine's in-memory ones.
   */
  limits?: ProviderLimits;
  /** This process among the workers sharing the limits (default: host, pid and a random suffix). */
  workerId?: string;
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
 * tasks with a remote id are polled, never resubmitted; sequence numbers continue after the last stored event.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const { db, clock } = opts;
  const bus = new EventBus();
  let supervisor: Supervisor | undefined;
  // The writer closes and opens the engine's storage gate (bound once the supervisor exists).
  let storageDown: string | null = null;
  const writer = new FleetWriter(db, bus, {
    unavailable: (message) => {
      storageDown = message;
      supervisor?.storageUnavailable(message);
    },
    available: () => {
      storageDown = null;
      supervisor?.storageAvailable();
    },
  });
  const options: SupervisorOptions = {
    clock,
    gateway: persistingGateway(opts.gateway, { db, writer, clock }),
    config: opts.config,
    userPlans: await allPaidPlans(db),
    onEvent: (event) => writer.event(event),
    firstSeq: (await maxSeq(db)) + 1,
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.limits ? { limits: opts.limits } : dbKind(db) === 'postgres' ? { limits: new SharedLimits(db, { workerId: opts.workerId ?? defaultWorkerId() }) } : {}),
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
