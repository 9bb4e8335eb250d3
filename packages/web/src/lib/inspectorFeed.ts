import type { EngineEvent } from '@clipfleet/engine';

/** One live snapshot message from `inspector.onSnapshot`. */
export type SnapshotMessage =
  | { kind: 'task'; taskId: string; state: string; value?: unknown }
  | { kind: 'supervisor'; value?: unknown };

export interface TaskFeed {
  state: string | null;
  value: unknown;
  events: EngineEvent[];
}

export interface FeedState {
  tasks: Map<string, TaskFeed>;
  supervisorValue: unknown;
}

const MAX_EVENTS_PER_TASK = 200;

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
  return state.tasks.get(taskId) ?? { state: null, value: null, events: [] };
}

/** Folds one engine event in (duplicates by sequence number are ignored: SSE may replay). */
export function applyEvent(state: FeedState, event: EngineEvent): FeedState {
  if (event.type === 'provider.throttled') return { ...state, supervisorValue: 'throttled' };
  if (event.type === 'provider.halted') return { ...state, supervisorValue: 'halted' };
  if (event.type === 'provider.resumed') return { ...state, supervisorValue: 'healthy' };
  if (!('taskId' in event)) return state;
  const prev = taskOf(state, event.taskId);
  if (prev.events.some((e) => e.seq === event.seq)) return state;
  const nextState = STATE_AFTER[event.type] ?? prev.state;
  const events = [...prev.events, event].slice(-MAX_EVENTS_PER_TASK);
  const tasks = new Map(state.tasks);
  // A state change from the log replaces a stale machine value; the next snapshot refines it.
  tasks.set(event.taskId, { state: nextState, value: nextState !== prev.state ? nextState : prev.value, events });
  return { ...state, tasks };
}

export function applySnapshot(state: FeedState, snap: SnapshotMessage): FeedState {
  if (snap.kind === 'supervisor') return { ...state, supervisorValue: snap.value ?? null };
  const prev = taskOf(state, snap.taskId);
  const tasks = new Map(state.tasks);
  tasks.set(snap.taskId, { ...prev, state: snap.state, value: snap.value ?? snap.state });
  return { ...state, tasks };
}
