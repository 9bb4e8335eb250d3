import { getVideoModelInfo } from '../config/catalog.ts';
import { getBatchConfig } from '../config/plans.ts';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import { ConfigError } from '../errors.ts';
import { initialDegradation } from '../policy/degradation.ts';
import { compareForAdmission, RoundRobin } from '../policy/ordering.ts';
import type { TaskSpec } from '../task/types.ts';
import { AdmissionQueue } from './admissionQueue.ts';
import type { BatchEntry, TaskRecord, UserEntry } from './records.ts';
import type { BatchInput } from './types.ts';

/**
 * What the supervisor knows: every task's record, the batches with their queues, the users with their plans
 * and load, and which remote job belongs to which task. No policy lives here.
 */
export class Registry {
  readonly tasks = new Map<string, TaskRecord>();
  readonly batches = new Map<string, BatchEntry>();
  readonly users = new Map<string, UserEntry>();
  /** Users with queued work, in round-robin order. */
  readonly usersWithWork = new RoundRobin<string>();
  private readonly byRemoteId = new Map<string, string>();
  private readonly userPlans: Map<string, string>;

  constructor(
    public config: FleetConfig,
    userPlans: Record<string, string> = {},
  ) {
    this.userPlans = new Map(Object.entries(userPlans));
  }

  record(taskId: string): TaskRecord {
    return this.tasks.get(taskId)!;
  }

  /** The plan a user is on under `config` (default: the one in force). */
  planOf(userId: string, config: FleetConfig = this.config): PlanConfig {
    return getBatchConfig(this.userPlans.get(userId) ?? config.defaultPlan, config);
  }

  setPlan(userId: string, planId: string): void {
    this.userPlans.set(userId, planId);
  }

  user(userId: string): UserEntry {
    let user = this.users.get(userId);
    if (!user) {
      const plan = this.planOf(userId);
      user = { userId, planId: plan.id, degradation: initialDegradation(plan.concurrency), capacityUsed: 0, running: 0, batches: new RoundRobin() };
      this.users.set(userId, user);
    }
    return user;
  }

  /** Throws a ConfigError naming the first task at fault; nothing is registered then. */
  validate(batch: BatchInput): void {
    if (this.batches.has(batch.batchId)) throw new ConfigError(`batch ${batch.batchId} already exists`, 'batchId');
    const seen = new Set<string>();
    batch.tasks.forEach((t, i) => {
      const where = `tasks[${i}]`;
      if (t.batchId !== batch.batchId || t.userId !== batch.userId)
        throw new ConfigError(`${where}: task belongs to another batch or user`, `${where}.batchId`);
      if (seen.has(t.taskId) || this.tasks.has(t.taskId))
        throw new ConfigError(`${where}.taskId: duplicate task id "${t.taskId}"`, `${where}.taskId`);
      seen.add(t.taskId);
      try {
        getVideoModelInfo(t.model, t.resolution, t.durationSec, this.config.catalog);
      } catch (err) {
        const e = err as ConfigError;
        throw new ConfigError(`${where}.${e.path}: ${e.message}`, `${where}.${e.path}`);
      }
    });
  }

  /** A batch whose `queued` tasks wait in the seed's order. */
  registerBatch(batchId: string, userId: string, paused: boolean, queued: TaskSpec[]): BatchEntry {
    const plan = this.planOf(userId);
    const entry: BatchEntry = {
      batchId,
      userId,
      paused,
      cancelled: false,
      queue: new AdmissionQueue(queued, compareForAdmission(plan.slowClasses)),
      taskIds: queued.map((t) => t.taskId),
      open: 0,
    };
    this.batches.set(batchId, entry);
    this.user(userId).batches.add(batchId);
    this.usersWithWork.add(userId);
    return entry;
  }

  /** Puts a task (just made `queued` by its event) back in its batch's queue. */
  requeue(record: TaskRecord): void {
    const { spec } = record.facts;
    const batch = this.batches.get(spec.batchId)!;
    batch.queue.putBack(spec);
    this.user(spec.userId).batches.add(batch.batchId);
    this.usersWithWork.add(spec.userId);
  }

  /** Callbacks for `remoteTaskId` go to the task. */
  route(remoteTaskId: string, taskId: string): void {
    this.byRemoteId.set(remoteTaskId, taskId);
  }

  /** Callbacks for the task's current remote job are no longer routed to it. */
  unroute(record: TaskRecord): void {
    if (record.facts.remoteTaskId) this.byRemoteId.delete(record.facts.remoteTaskId);
  }

  taskOfRemote(remoteTaskId: string): TaskRecord | undefined {
    const taskId = this.byRemoteId.get(remoteTaskId);
    return taskId === undefined ? undefined : this.tasks.get(taskId);
  }
}
