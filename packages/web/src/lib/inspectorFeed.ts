import { applyTaskEvent, initialFacts, isTerminal, type EngineEvent, type TaskFacts } from '@clipfleet/engine';
import type { RouterOutputs, Yielded } from '../utils/trpc.ts';

/** One live snapshot message from `inspector.onSnapshot`, as the server declares it. */
export type SnapshotMessage = Yielded<RouterOutputs['inspector']['onSnapshot']>;

/** An event of one task: what a task's log shows. */
export type TaskEvent = Extract<EngineEvent, { taskId: string }>;

export interface TaskFeed {
  /** The task's facts, folded from its events with the engine's own reducer. */
  facts: TaskFacts<{ taskId: string }>;
  /** The state shown: the facts' state, or a snapshot's while no event has moved the task yet. */
  state: string | null;
  value: unknown;
  events: TaskEvent[];
  lastSeq: number;
}

/**
 * What the inspector knows from its two feeds. Mutated in place: a replay of a big batch's log is tens of
 * thousands of events, so the hook applies them here and re-renders on a timer, not once per event.
 */
export interface FeedState {
  tasks: Map<string, TaskFeed>;
  /** The provider gate as the server's supervisor reports it (snapshots only: a batch's log holds no provider events). */
  supervisorValue: unknown;
}

export const MAX_EVENTS_PER_TASK = 200;

export function emptyFeed(): FeedState {
  return { tasks: new Map(), supervisorValue: null };
}

function taskOf(state: FeedState, taskId: string): TaskFeed {
  let t = state.tasks.get(taskId);
  if (!t) state.tasks.set(taskId, (t = { facts: initialFacts({ taskId }), state: null, value: null, events: [], lastSeq: 0 }));
  return t;
}

/** Folds one engine event in; events at or below the task's last sequence number are ignored (SSE may replay). */
export function applyEvent(state: FeedState, event: EngineEvent): void {
  if (!('taskId' in event)) return;
  const t = taskOf(state, event.taskId);
  if (event.seq <= t.lastSeq) return;
  t.lastSeq = event.seq;
  t.events.push(event);
  if (t.events.length > MAX_EVENTS_PER_TASK) t.events.splice(0, t.events.length - MAX_EVENTS_PER_TASK);
  const before = t.facts.state;
  t.facts = applyTaskEvent(t.facts, event);
  // A state change from the log replaces a stale machine value; the next snapshot refines it.
  if (t.facts.state !== before || t.state === null) {
    t.state = t.facts.state;
    t.value = t.facts.state;
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
