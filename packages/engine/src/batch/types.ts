import type { FleetConfig } from '../config/schema.ts';
import type { EngineEvent } from '../events.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { KieGateway, RemoteStatus } from '../ports/gateway.ts';
import type { ProviderLimits } from '../ports/limits.ts';
import type { TaskFacts, TaskSpec, TaskState } from '../task/types.ts';
import type { ProviderGate } from './supervisorMachine.ts';

export interface SupervisorOptions {
  clock: EngineClock;
  gateway: KieGateway;
  config: FleetConfig;
  /** Plan of each user; unknown users are on `config.defaultPlan`. Changeable at runtime with setUserPlan. */
  userPlans?: Record<string, string>;
  /** Bounded retry jitter needs randomness; inject a seeded source for reproducible runs. Default: no jitter. */
  random?: () => number;
  /** Receives every engine event synchronously, in sequence order. */
  onEvent?: (event: EngineEvent) => void;
  /** First sequence number (a host resuming a persisted log continues its numbering). */
  firstSeq?: number;
  /**
   * The submit permit asked before every createTask. Default: each account's window in memory (one process);
   * processes sharing KIE accounts pass one that holds the limits across them (the API's Postgres limits).
   */
  limits?: ProviderLimits;
}

export interface BatchInput {
  batchId: string;
  userId: string;
  tasks: TaskSpec[];
  /** Start paused: nothing is admitted until resumeBatch. */
  paused?: boolean;
}

export interface UserLoad {
  userId: string;
  plan: string;
  /** Concurrency level in force (plan concurrency, lowered by degradation, raised by recovery). */
  level: number;
  planConcurrency: number;
  /** Sum of 1/actual(class) over this user's running tasks; never above 1. */
  capacityUsed: number;
  running: number;
  queued: number;
}

export interface SupervisorStatus {
  provider: ProviderGate;
  /** The storage gate: while the host cannot write, nothing is admitted or submitted. */
  storage: 'writable' | 'unwritable';
  /** The global cap in force: config maxRunning, lowered while KIE struggles. */
  providerLimit: number;
  running: number;
  queued: number;
  users: UserLoad[];
  /** createTask calls in the accounts' current rate windows (as far as this process knows). */
  createsInWindow: number;
  accounts: AccountLoad[];
}

export interface AccountLoad {
  accountId: string;
  gate: ProviderGate;
  /** Its running cap in force (its own cap or the global one, lowered while its jobs fail). */
  level: number;
  /** This process's tasks holding the account (permit asked, submitting or polling). */
  running: number;
  createsInWindow: number;
  createLimit: number;
}

export interface BatchProgress {
  batchId: string;
  userId: string;
  paused: boolean;
  total: number;
  byState: Record<TaskState, number>;
}

/** A live view of one task: its facts (the same the host stores) and its machine's current state value. */
export interface TaskView extends TaskFacts {
  taskId: string;
  /** The task machine's state value (nested) while an actor is alive; the fact state otherwise. */
  machineState: unknown;
}

/** The batch supervisor: the engine's one entry point for hosts (API server, simulator, benchmark). */
export interface Supervisor {
  addBatch(batch: BatchInput): void;
  pauseBatch(batchId: string): void;
  resumeBatch(batchId: string): void;
  cancelBatch(batchId: string): void;
  /** Re-queues the batch's failed and timed-out tasks with a fresh retry budget; returns their ids. */
  retryFailed(batchId: string): string[];
  cancelTask(taskId: string): void;
  pauseTask(taskId: string): void;
  resumeTask(taskId: string): void;
  /**
   * A provider callback: a cue that makes the task ask KIE at once (its own status query decides the outcome).
   * `verified` (signed, fresh, first seen): its progress may be shown. Duplicates are harmless. With
   * `accountId` (the account's callback URL), a job of another account is not cued.
   */
  deliverCallback(remoteTaskId: string, status: RemoteStatus, verified?: boolean, accountId?: string): void;
  /** Hot reload: validated config applies to the next admissions; running tasks keep theirs. */
  updateConfig(config: FleetConfig): void;
  setUserPlan(userId: string, planId: string): void;
  /** After a 401/402/433 halt, an operator resumes submissions on every halted account. */
  resumeProvider(): void;
  /** The host cannot write its store: stop admitting and submitting, keep watching what runs. */
  storageUnavailable(message: string): void;
  /** Writes succeed again: admission resumes. */
  storageAvailable(): void;
  /**
   * Takes over batches from persisted facts while running (a host that just became their owner), exactly as
   * hydrateSupervisor does at start: remote jobs are polled, never resubmitted. Known batches are skipped.
   */
  adopt(batches: HydrateBatch[]): void;
  /** Forgets a user's work silently (no events): the host no longer owns the user. Returns the batches dropped. */
  releaseUser(userId: string): string[];
  status(): SupervisorStatus;
  batchProgress(batchId: string): BatchProgress | undefined;
  task(taskId: string): TaskView | undefined;
  /** Current facts of every task the supervisor knows (for persistence checks and hydrate round-trips). */
  facts(): TaskFacts[];
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Whether every known task is terminal. */
  isIdle(): boolean;
  stop(): void;
}

export interface HydrateBatch {
  batchId: string;
  userId: string;
  paused: boolean;
  /** The user cancelled it before the restart: nothing more is admitted, what runs is cancelled. */
  cancelled?: boolean;
  tasks: TaskFacts[];
}
