import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../utils/trpc.ts';

export interface LiveState {
  status: 'connecting' | 'live' | 'error' | 'idle';
  lastEventAt: number | null;
  events: number;
}

/**
 * Follows `batch.onProgress` (SSE) and refreshes the batch's queries when events arrive,
 * at most every `throttleMs` so a burst of events costs one refetch.
 */
export function useBatchLive(batchId: string, enabled: boolean, throttleMs = 400): LiveState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [state, setState] = useState<LiveState>({ status: 'idle', lastEventAt: null, events: 0 });

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const sub = useSubscription(
    trpc.batch.onProgress.subscriptionOptions(
      { batchId },
      {
        enabled,
        onData: () => {
          setState((s) => ({ status: 'live', lastEventAt: Date.now(), events: s.events + 1 }));
          if (timer.current) return;
          timer.current = setTimeout(() => {
            timer.current = null;
            void queryClient.invalidateQueries({ queryKey: trpc.batch.get.queryKey({ batchId }) });
            void queryClient.invalidateQueries({ queryKey: trpc.batch.tasks.pathKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.batch.failures.queryKey({ batchId }) });
            void queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
          }, throttleMs);
        },
      },
    ),
  );
  const status: LiveState['status'] = !enabled
    ? 'idle'
    : sub.status === 'error'
      ? 'error'
      : sub.status === 'pending' && state.events > 0
        ? 'live'
        : sub.status === 'connecting'
          ? 'connecting'
          : 'live';
  return { ...state, status };
}
