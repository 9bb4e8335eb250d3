import type { DegradationState } from '../policy/degradation.ts';
import type { RoundRobin } from '../policy/ordering.ts';
import type { TaskFacts } from '../task/types.ts';
import type { AdmissionQueue } from './admissionQueue.ts';
import type { LiveTask } from './taskRuntime.ts';

/** A task as the supervisor holds it: its facts (changed only by `applyTaskEvent`) and runtime fields. */
export interface TaskRecord {
  facts: TaskFacts;
  /** Share of the user's capacity held while the task has a live machine (fixed at admission). */
  weight: number;
  /** The task's machine while it is admitted (submitting, polling, retrying, waiting for a create slot). */
  live: LiveTask | null;
  /** The task's machine asked for a createTask slot and has not been granted one yet. */
  waitingForSlot: boolean;
  /** The KIE account whose slot the task holds (from its permit until its attempt's job stops running). */
  account: string | null;
}

export interface BatchEntry {
  batchId: string;
  userId: string;
  paused: boolean;
  /** Set before any task is ended: a cancelled batch admits and submits nothing more. */
  cancelled: boolean;
  queue: AdmissionQueue;
  taskIds: string[];
  /** Tasks not ended yet. */
  open: number;
}

export interface UserEntry {
  userId: string;
  planId: string;
  degradation: DegradationState;
  capacityUsed: number;
  running: number;
  batches: RoundRobin<string>;
}

/** A task's live record, from facts a host holds (hydrate): the record owns a copy. */
export function recordFrom(facts: TaskFacts): TaskRecord {
  return recordOwning({ ...facts });
}

/** A task's live record over `facts`, which nothing else holds (a fresh task's `initialFacts`): no copy. */
export function recordOwning(facts: TaskFacts): TaskRecord {
  return { facts, weight: 0, live: null, waitingForSlot: false, account: null };
}
