import type { RemoteStatus, SupervisorStatus, TaskSpec, TaskView } from '@clipfleet/engine';
import { awaitCommand, enqueueCommand, type FleetCommand } from '../cluster/commands.ts';
import { requestProviderResume } from '../cluster/broadcast.ts';
import { clusterStatus } from '../cluster/status.ts';
import type { Db } from '../db/database.ts';
import { findTaskByRemoteId, tasksInStates } from '../store/batches.ts';
import { describeStorageError } from '../store/durable.ts';
import { EventBus } from './bus.ts';
import type { Fleet } from './fleet.ts';

export interface StorageHealth {
  writable: boolean;
  unavailableSince: number | null;
  backlog: number;
}

/**
 * What the API (tRPC routers, the REST route, KIE callbacks, SSE) asks of the fleet, wherever it runs: in this
 * process (`localPort`, the embedded mode) or in the worker that owns the user (`clusterPort`). The routes check
 * and record what they own (ownership, credits, batch state) before calling it.
 */
export interface FleetPort {
  /** Committed engine events of this process's batches, or fanned in from the workers. */
  readonly bus: EventBus;
  addBatch(batch: { batchId: string; userId: string; tasks: TaskSpec[]; paused: boolean }): Promise<void>;
  pauseBatch(userId: string, batchId: string): Promise<void>;
  resumeBatch(userId: string, batchId: string): Promise<void>;
  cancelBatch(userId: string, batchId: string): Promise<void>;
  /** Re-queues the batch's failed and timed-out tasks; returns their ids. */
  retryFailed(userId: string, batchId: string): Promise<string[]>;
  cancelTask(userId: string, taskId: string): Promise<void>;
  /** A KIE callback (to `accountId`'s URL): a cue for the task that owns the remote job (its own status query decides). */
  deliverCallback(remoteTaskId: string, status: RemoteStatus, verified: boolean, accountId: string | undefined): Promise<void>;
  setUserPlan(userId: string, planId: string): Promise<void>;
  /** After a 401/402/433 halt, an operator resumes submissions. */
  resumeProvider(): Promise<void>;
  status(): Promise<SupervisorStatus>;
  /** The live view of a task run in this process (its machine state), if it is. */
  task(taskId: string): TaskView | undefined;
  /** Resolves when what was asked so far is durable. */
  flush(): Promise<void>;
  storage(): Promise<StorageHealth>;
}

/** The embedded mode: the supervisor runs in this process and is called directly. */
export function localPort(fleet: Fleet): FleetPort {
  const { supervisor } = fleet;
  return {
    bus: fleet.bus,
    async addBatch({ batchId, userId, tasks, paused }) {
      fleet.addBatch(batchId, userId, tasks, paused);
    },
    pauseBatch: async (_userId, batchId) => supervisor.pauseBatch(batchId),
    resumeBatch: async (_userId, batchId) => supervisor.resumeBatch(batchId),
    cancelBatch: async (_userId, batchId) => supervisor.cancelBatch(batchId),
    async retryFailed(_userId, batchId) {
      await fleet.flush();
      const retried = supervisor.retryFailed(batchId);
      await fleet.flush();
      return retried;
    },
    cancelTask: async (_userId, taskId) => supervisor.cancelTask(taskId),
    deliverCallback: async (remoteTaskId, status, verified, accountId) => supervisor.deliverCallback(remoteTaskId, status, verified, accountId),
    setUserPlan: async (userId, planId) => supervisor.setUserPlan(userId, planId),
    resumeProvider: async () => supervisor.resumeProvider(),
    status: async () => supervisor.status(),
    task: (taskId) => supervisor.task(taskId),
    flush: () => fleet.flush(),
    storage: async () => fleet.storage(),
  };
}

export interface ClusterPortOptions {
  db: Db;
  /** The worker in this process (role `all` on Postgres), if any: it hears its own commands at once. */
  fleet: Fleet | undefined;
  /** Events fanned in from the workers (the worker's own bus in role `all`). */
  bus: EventBus;
  leaseMs: number;
  /** How long a command waits to be carried out before the call returns (it stays queued). Default 10 s. */
  commandWaitMs?: number;
}

/**
 * Several processes on Postgres: each call is a command for the worker that owns the user (stored, then a
 * NOTIFY), and the call returns once that worker has carried it out and committed its effects, or after a bounded
 * wait (no worker owns the user yet: the command is carried out when one claims them). Status comes from the
 * snapshots the workers publish with their heartbeat.
 */
export function clusterPort(opts: ClusterPortOptions): FleetPort {
  const { db, fleet } = opts;
  const waitMs = opts.commandWaitMs ?? 10_000;
  let downSince: number | null = null;

  async function send(userId: string, command: FleetCommand, wait: boolean): Promise<void> {
    const id = await enqueueCommand(db, userId, command);
    fleet?.ownership.poke();
    fleet?.runCommands();
    if (wait && !(await awaitCommand(db, id, waitMs))) console.error(`fleet: ${command.kind} for user ${userId} is queued; no worker carried it out within ${waitMs} ms`);
  }

  return {
    bus: opts.bus,
    addBatch: ({ batchId, userId }) => send(userId, { kind: 'addBatch', batchId }, false),
    pauseBatch: (userId, batchId) => send(userId, { kind: 'pauseBatch', batchId }, true),
    resumeBatch: (userId, batchId) => send(userId, { kind: 'resumeBatch', batchId }, true),
    cancelBatch: (userId, batchId) => send(userId, { kind: 'cancelBatch', batchId }, true),
    async retryFailed(userId, batchId) {
      const candidates = await tasksInStates(db, batchId, ['failed', 'timedOut']);
      await send(userId, { kind: 'retryFailed', batchId }, true);
      return candidates.map((t) => t.id);
    },
    cancelTask: (userId, taskId) => send(userId, { kind: 'cancelTask', taskId }, true),
    async deliverCallback(remoteTaskId, status, verified, accountId) {
      // Only the owner of the task can act on it; an unknown job is not ours (or not stored yet: the poll finds it).
      const task = await findTaskByRemoteId(db, remoteTaskId);
      if (task) await send(task.user_id, { kind: 'callback', remoteTaskId, status, verified, ...(accountId ? { accountId } : {}) }, false);
    },
    setUserPlan: (userId, planId) => send(userId, { kind: 'setPlan', planId }, true),
    resumeProvider: () => requestProviderResume(db),
    status: () => clusterStatus(db, opts.leaseMs),
    task: (taskId) => fleet?.supervisor.task(taskId),
    flush: async () => {
      await fleet?.flush();
    },
    async storage() {
      if (fleet) return fleet.storage();
      try {
        await db.selectFrom('settings').select('key').limit(1).execute();
        downSince = null;
        return { writable: true, unavailableSince: null, backlog: 0 };
      } catch (err) {
        downSince ??= Date.now();
        console.error(`api: database unavailable (${describeStorageError(err)})`);
        return { writable: false, unavailableSince: downSince, backlog: 0 };
      }
    },
  };
}
