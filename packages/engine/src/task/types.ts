/** What a task is: immutable once the batch is accepted. */
export interface TaskSpec {
  taskId: string;
  batchId: string;
  userId: string;
  /** 0-based position in the submitted batch (for ordering ties and error messages). */
  rowIndex: number;
  model: string;
  resolution: string;
  durationSec: number;
  /** Optional here so a host may keep prompts out of memory and resolve them in its gateway. */
  prompt?: string;
  /** As the model takes it (`16:9`, `landscape`); absent: the model's default. */
  aspectRatio?: string;
  /** Image-to-video: the image, or the first and last frame. */
  imageUrls?: string[];
}

/** Persisted task states. `queued` and `paused` tasks have no live actor. */
export const TASK_STATES = [
  'queued',
  'submitting',
  'polling',
  'retrying',
  'paused',
  'succeeded',
  'failed',
  'cancelled',
  'timedOut',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TERMINAL_STATES = ['succeeded', 'failed', 'cancelled', 'timedOut'] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** Takes any string so hosts and the web client can test a stored or received state without a cast. */
export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** The last error a task met: the one being retried, or the final one. `code` is KIE's code, or `timeout`. */
export interface TaskFailure {
  code: string;
  message: string;
}

/**
 * Everything known about a task, derived from its events by `applyTaskEvent` alone: the engine, the API's rows
 * and the web client all hold this shape. The first eight fields are what a restart needs (actor snapshots are
 * not used for recovery: they lose pending timers); progress, results and the failure are what users see.
 * `S` is the spec: the full TaskSpec in the engine, just the id where a client has no more.
 */
export interface TaskFacts<S extends { taskId: string } = TaskSpec> {
  spec: S;
  state: TaskState;
  /**
   * The current attempt's number (the next one's while retrying); 0 before the first admission.
   * 429/455 waits resubmit under the same number: they do not use the retry budget.
   */
  attempts: number;
  /** Retries spent on generation failures (501), which have their own smaller budget. */
  generationRetries: number;
  /** Set right after createTask succeeded for the current attempt; kept after the task ends. */
  remoteTaskId: string | null;
  /** The KIE account the current attempt was sent on (its job is queried there); kept after the task ends. */
  accountId: string | null;
  /** Engine-clock time the current attempt was accepted by KIE. */
  submittedAt: number | null;
  /** For `retrying`: engine-clock time the next attempt is due. */
  nextDueAt: number | null;
  /** 0-100 as KIE last reported it for the current attempt; 100 once succeeded. */
  progress: number | null;
  resultUrls: string[];
  failure: TaskFailure | null;
}
