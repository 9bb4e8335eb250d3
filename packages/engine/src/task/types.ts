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

export function isTerminal(state: TaskState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/**
 * The durable facts about a task, enough to rebuild the engine after a crash
 * (actor snapshots are not used for recovery: they lose pending timers).
 */
export interface TaskFacts {
  spec: TaskSpec;
  state: TaskState;
  /**
   * The current attempt's number (the next one's while retrying); 0 before the first admission.
   * 429/455 waits resubmit under the same number: they do not use the retry budget.
   */
  attempts: number;
  /** Retries spent on generation failures (501), which have their own smaller budget. */
  generationRetries: number;
  /** Set right after createTask succeeded for the current attempt. */
  remoteTaskId: string | null;
  /** Engine-clock time the current attempt was accepted by KIE. */
  submittedAt: number | null;
  /** For `retrying`: engine-clock time the next attempt is due. */
  nextDueAt: number | null;
}
