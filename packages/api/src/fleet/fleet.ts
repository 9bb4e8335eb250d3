import {
  createSupervisor,
  hydrateSupervisor,
  type EngineClock,
  type FleetConfig,
  type HydrateBatch,
  type KieGateway,
  type RemoteStatus,
  type Supervisor,
  type SupervisorOptions,
  type TaskSpec,
} from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { markBatchFinished } from '../store/batches.ts';
import { maxSeq } from '../store/events.ts';
import { allPaidPlans } from '../store/payments.ts';
import { EventBus } from './bus.ts';
import { loadUnfinished } from './hydrate.ts';
import { persistingGateway } from './persisting-gateway.ts';
import { FleetWriter } from './writer.ts';

export interface FleetOptions {
  db: Db;
  /** The KIE gateway (real HTTP client, or the simulator): the fleet wraps it with persistence. */
  gateway: KieGateway;
  clock: EngineClock;
  config: FleetConfig;
  random?: () => number;
}

const LAST_LOOK_PARALLEL = 8;

/**
 * Tasks whose attempt timeout passed while the process was down would time out the moment they are hydrated,
 * without another status query, although KIE may have finished (and billed) them meanwhile. They get one last
 * look now; a finished answer is delivered to the supervisor like a callback.
 */
async function lookAtOverdue(options: SupervisorOptions, batches: HydrateBatch[]): Promise<Array<{ remoteTaskId: string; status: RemoteStatus }>> {
  const now = options.clock.now();
  const { config } = options;
  const overdue = batches.flatMap((b) =>
    b.tasks.filter((f) => {
      if (f.state !== 'polling' || !f.remoteTaskId || f.submittedAt === null) return false;
      const plan = config.plans.find((p) => p.id === (options.userPlans?.[b.userId] ?? config.defaultPlan)) ?? config.plans[0]!;
      const timeout = plan.timeoutsMs[f.spec.resolution];
      return timeout !== undefined && f.submittedAt + timeout <= now;
    }),
  );
  const found: Array<{ remoteTaskId: string; status: RemoteStatus }> = [];
  for (let i = 0; i < overdue.length; i += LAST_LOOK_PARALLEL) {
    await Promise.all(
      overdue.slice(i, i + LAST_LOOK_PARALLEL).map(async (f) => {
        const result = await options.gateway.getTask(f.remoteTaskId!);
        if (result.ok && (result.status.state === 'success' || result.status.state === 'fail')) found.push({ remoteTaskId: f.remoteTaskId!, status: result.status });
      }),
    );
  }
  return found;
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
  stop(): Promise<void>;
}

/**
 * Starts the supervisor. With unfinished batches in the database it is hydrated from their durable task facts:
 * tasks with a remote id are polled, never resubmitted; sequence numbers continue after the last stored event.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const { db, clock } = opts;
  const bus = new EventBus();
  const writer = new FleetWriter(db, bus);
  const options: SupervisorOptions = {
    clock,
    gateway: persistingGateway(opts.gateway, { db, writer, clock }),
    config: opts.config,
    userPlans: await allPaidPlans(db),
    onEvent: (event) => writer.event(event),
    firstSeq: (await maxSeq(db)) + 1,
    ...(opts.random ? { random: opts.random } : {}),
  };
  const { batches, cancelling, ended } = await loadUnfinished(db);
  for (const batchId of ended) await markBatchFinished(db, batchId);
  const lastLooks = await lookAtOverdue(options, batches);
  const supervisor = batches.length > 0 ? hydrateSupervisor(options, batches) : createSupervisor(options);
  // Delivered before any timer can fire: a job that finished while we were down ends as what it is, not timedOut.
  for (const { remoteTaskId, status } of lastLooks) supervisor.deliverCallback(remoteTaskId, status);
  // A cancel that was accepted but not finished before the crash is carried out now.
  for (const batchId of cancelling) supervisor.cancelBatch(batchId);

  let stopped = false;
  return {
    supervisor,
    bus,
    clock,
    resumed: batches.map((b) => b.batchId),
    addBatch(batchId, userId, tasks, paused) {
      supervisor.addBatch({ batchId, userId, tasks, paused });
    },
    flush: () => writer.drain(),
    async stop() {
      if (stopped) return;
      stopped = true;
      supervisor.stop();
      await writer.drain();
    },
  };
}
