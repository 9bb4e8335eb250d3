import type { EngineEvent } from '@clipfleet/engine';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useReducer } from 'react';
import type { LogEntry } from '../components/inspector/EventLog.tsx';
import { eventText } from '../lib/eventText.ts';
import { applyEvent, applySnapshot, emptyFeed, type FeedState, type SnapshotMessage } from '../lib/inspectorFeed.ts';
import { useTRPC } from '../utils/trpc.ts';

export interface InspectorFeed {
  /** The picked task's machine state value (nested XState value or a state name); null before anything is known. */
  taskValue: unknown;
  taskState: string | null;
  supervisorValue: unknown;
  /** Latest known state of every task seen on the feeds. */
  taskStates: ReadonlyMap<string, string>;
  log: LogEntry[];
  live: boolean;
}

type Action = { type: 'event'; event: EngineEvent } | { type: 'snapshot'; snapshot: SnapshotMessage } | { type: 'reset' };

function reducer(state: FeedState, action: Action): FeedState {
  switch (action.type) {
    case 'event':
      return applyEvent(state, action.event);
    case 'snapshot':
      return applySnapshot(state, action.snapshot);
    case 'reset':
      return emptyFeed();
  }
}

/** Live actor snapshots (`inspector.onSnapshot`) and the batch's event log (`batch.onProgress`), both over SSE. */
export function useInspectorFeed(batchId: string | null, taskId: string | null): InspectorFeed {
  const trpc = useTRPC();
  const [state, dispatch] = useReducer(reducer, undefined, emptyFeed);
  const onEvent = useCallback((data: { data: EngineEvent }) => dispatch({ type: 'event', event: data.data }), []);
  const onSnapshot = useCallback((data: SnapshotMessage) => dispatch({ type: 'snapshot', snapshot: data }), []);

  const progress = useSubscription(
    trpc.batch.onProgress.subscriptionOptions({ batchId: batchId ?? '' }, { enabled: Boolean(batchId), onData: onEvent }),
  );
  const snapshots = useSubscription(
    trpc.inspector.onSnapshot.subscriptionOptions({ batchId: batchId ?? '' }, { enabled: Boolean(batchId), onData: onSnapshot }),
  );

  const task = taskId ? state.tasks.get(taskId) : undefined;
  const taskStates = new Map<string, string>();
  for (const [id, t] of state.tasks) if (t.state) taskStates.set(id, t.state);
  const log: LogEntry[] = (task?.events ?? []).map((e) => ({ key: String(e.seq), at: e.at, ...eventText(e) }));
  return {
    taskValue: task?.value ?? task?.state ?? null,
    taskState: task?.state ?? null,
    supervisorValue: state.supervisorValue,
    taskStates,
    log,
    live: progress.status !== 'error' && snapshots.status !== 'error' && Boolean(batchId),
  };
}
