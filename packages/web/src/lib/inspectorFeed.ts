import type { EngineEvent } from '@clipfleet/engine';
import { isTerminal } from './taskState.ts';

/** One live snapshot message from `inspector.onSnapshot`. */
export type SnapshotMessage =
  | { kind: 'task'; taskId: string; state: string; value?: unknown }
  | { kind: 'supervisor'; value?: unknown };

export interface TaskFeed {
  state: string | null;
  value: unknown;
  events: EngineEvent[];
  lastSeq: number;
}

/**
 * What the inspector knows from its two feeds. Mutated in place: a replay of a big batch's log is tens of
 * thousands of events, so the hook applies them here and re-renders on a timer, not once per event.
 */
export interface FeedState {
  tasks: Map<string, TaskFeed>;
  supervisorValue: unknown;
}

export const MAX_EVENTS_PER_TASK = 200;

/** The persisted task state each event moves a task into (the machine's state of the same name). */
const STATE_AFTER: Partial<Record<EngineEvent['type'], string>> = {
  'task.admitted': 'queued',
  'task.submitting': 'submitting',
  'task.submitted': 'polling',
  'task.status': 'polling',
  'task.retryScheduled': 'retrying',
  'task.paused': 'paused',
  'task.resumed': 'queued',
  'task.requeued': 'queued',
  'task.succeeded': 'succeeded',
  'task.failed': 'failed',
  'task.timedOut': 'timedOut',
  'task.cancelled': 'cancelled',
};

export function emptyFeed(): FeedState {
  return { tasks: new Map(), supervisorValue: null };
}

function taskOf(state: FeedState, taskId: string): TaskFeed {
  let t = state.tasks.get(taskId);
  if (!t) state.tasks.set(taskId, (t = { state: null, value: null, events: [], lastSeq: 0 }));
  return t;
}

/** Folds one engine event in; events at or below the task's last sequence number are ignored (SSE may replay). */
export function applyEvent(state: FeedState, event: EngineEvent): void {
  if (event.type === 'provider.throttled') state.supervisorValue = 'throttled';
  else if (event.type === 'provider.halted') state.supervisorValue = 'halted';
  else if (event.type === 'provider.resumed') state.supervisorValue = 'healthy';
  if (!('taskId' in event)) return;
  const t = taskOf(state, event.taskId);
  if (event.seq <= t.lastSeq) return;
  t.lastSeq = event.seq;
  t.events.push(event);
  if (t.events.length > MAX_EVENTS_PER_TASK) t.events.splice(0, t.events.length - MAX_EVENTS_PER_TASK);
  const next = STATE_AFTER[event.type] ?? t.state;
  // A state change from the log replaces a stale machine value; the next snapshot refines it.
  if (next !== t.state) {
    t.state = next;
    t.value = next;
  }
}

export function applySnapshot(state: FeedState, snap: SnapshotMessage): void {
  if (snap.kind === 'supervisor') {
    state.supervisorValue = snap.value ?? null;
    return;
  }
  const t = taskOf(state, snap.taskId);
  // Snapshots are sampled on their own stream: one taken just before the task ended can arrive after its end
  // event. An end only gives way to the log (a retry round re-queues it), never to a sample.
  if (t.state !== null && isTerminal(t.state)) return;
  t.state = snap.state;
  t.value = snap.value ?? snap.state;
}
