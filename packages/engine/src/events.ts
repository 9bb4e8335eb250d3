import type { RemoteState } from './ports/gateway.ts';
import type { TerminalState } from './task/types.ts';

interface TaskRef {
  taskId: string;
  batchId: string;
  userId: string;
}

/**
 * Everything the engine does, as typed facts. A host persists them (the durable progress log)
 * and derives task state from them; `seq` is gap-free and strictly increasing per supervisor.
 */
export type EngineEventBody =
  | { type: 'batch.added'; batchId: string; userId: string; taskCount: number }
  | { type: 'batch.paused'; batchId: string; userId: string }
  | { type: 'batch.resumed'; batchId: string; userId: string }
  | { type: 'batch.cancelled'; batchId: string; userId: string }
  | { type: 'batch.finished'; batchId: string; userId: string; counts: Record<TerminalState, number> }
  | (TaskRef & { type: 'task.admitted'; attempt: number })
  /** Emitted before createTask is called: a host records the attempt first. */
  | (TaskRef & { type: 'task.submitting'; attempt: number; accountId: string })
  | (TaskRef & { type: 'task.submitted'; attempt: number; remoteTaskId: string })
  | (TaskRef & { type: 'task.status'; remoteState: RemoteState; progress: number | null })
  | (TaskRef & {
      type: 'task.retryScheduled';
      /** The attempt number the next submission will use. */
      nextAttempt: number;
      /** Retries spent on generation failures so far (their budget is smaller). */
      generationRetries: number;
      delayMs: number;
      dueAt: number;
      code: number;
      message: string;
      /** false for 429/455 waits and provider halts: they do not use the retry budget. */
      consumesAttempt: boolean;
    })
  | (TaskRef & { type: 'task.paused'; attempts: number })
  | (TaskRef & { type: 'task.resumed' })
  /** A failed or timed-out task queued again by retryFailed, with a fresh retry budget. */
  | (TaskRef & { type: 'task.requeued' })
  | (TaskRef & { type: 'task.succeeded'; remoteTaskId: string; resultUrls: string[]; attempts: number })
  | (TaskRef & { type: 'task.failed'; code: number; message: string; attempts: number; submitted: boolean })
  | (TaskRef & { type: 'task.timedOut'; attempts: number; timeoutMs: number })
  /** `submitted`: a remote job existed (KIE may still finish and bill it). */
  | (TaskRef & { type: 'task.cancelled'; attempts: number; submitted: boolean })
  | { type: 'concurrency.changed'; userId: string; from: number; to: number; reason: 'degraded' | 'recovered' | 'config' }
  /** A KIE account's adaptive running cap moved (AIMD over its jobs' outcomes, or a config change). */
  | { type: 'provider.limitChanged'; accountId: string; from: number; to: number; reason: 'degraded' | 'recovered' | 'config' }
  /** The account takes no createTask calls until `untilAt` (a 429/455 here, or seen by another process). */
  | { type: 'provider.throttled'; accountId: string; code: number; untilAt: number }
  /** The account takes none until an operator resumes (401/402/433). */
  | { type: 'provider.halted'; accountId: string; code: number; message: string }
  | { type: 'provider.resumed'; accountId: string }
  /** The host's store cannot be written (disk full, read-only, I/O error): admission stops until it can. */
  | { type: 'storage.unavailable'; message: string }
  | { type: 'storage.available'; downMs: number }
  | { type: 'config.reloaded' };

export type EngineEvent = EngineEventBody & { seq: number; at: number };
export type EngineEventType = EngineEventBody['type'];
