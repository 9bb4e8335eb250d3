import type { EngineEvent } from '@clipfleet/engine';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
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

const RENDER_EVERY_MS = 150;

/** Live actor snapshots (`inspector.onSnapshot`) and the batch's event log (`batch.onProgressGrouped`), both over SSE. */
export function useInspectorFeed(batchId: string | null, taskId: string | null): InspectorFeed {
  const trpc = useTRPC();
  const feed = useRef<FeedState>(emptyFeed());
  const [, setVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A new batch starts from an empty feed.
  useEffect(() => {
    feed.current = emptyFeed();
    setVersion((v) => v + 1);
  }, [batchId]);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const scheduleRender = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setVersion((v) => v + 1);
    }, RENDER_EVERY_MS);
  }, []);
  const onEvents = useCallback(
    (message: { data: { events: EngineEvent[] } }) => {
      for (const event of message.data.events) applyEvent(feed.current, event);
      scheduleRender();
    },
    [scheduleRender],
  );
  const onSnapshot = useCallback(
    (data: SnapshotMessage) => {
      applySnapshot(feed.current, data);
      scheduleRender();
    },
    [scheduleRender],
  );

  const progress = useSubscription(
    trpc.batch.onProgressGrouped.subscriptionOptions({ batchId: batchId ?? '' }, { enabled: Boolean(batchId), onData: onEvents }),
  );
  const snapshots = useSubscription(
    trpc.inspector.onSnapshot.subscriptionOptions({ batchId: batchId ?? '' }, { enabled: Boolean(batchId), onData: onSnapshot }),
  );

  const state = feed.current;
  const task = taskId ? state.tasks.get(taskId) : undefined;
  const taskStates = new Map<string, string>();
  for (const [id, t] of state.tasks) if (t.state) taskStates.set(id, t.state);
  const log: LogEntry[] = (task?.events ?? []).map((e) => ({ key: String(e.seq), at: e.at, ...eventText(e) }));
  return {
    taskValue: task?.value ?? null,
    taskState: task?.state ?? null,
    supervisorValue: state.supervisorValue,
    taskStates,
    log,
    live: progress.status !== 'error' && snapshots.status !== 'error' && Boolean(batchId),
  };
}
