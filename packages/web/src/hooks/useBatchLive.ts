import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../utils/trpc.ts';

export type LiveStatus = 'connecting' | 'live' | 'error' | 'idle';

/**
 * Follows `batch.onProgressGrouped` (SSE, several events per message) and refreshes the batch's queries when events arrive, at most every
 * `throttleMs`: a burst of events (or the replay of a long log on connect) costs one refetch, not one per event.
 * The link resumes from the last tracked group id (its last event's seq) after a dropped connection.
 */
export function useBatchLive(batchId: string, enabled: boolean, throttleMs = 400): LiveStatus {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [heard, setHeard] = useState(false);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const sub = useSubscription(
    trpc.batch.onProgressGrouped.subscriptionOptions(
      { batchId },
      {
        enabled,
        onData: () => {
          if (timer.current) return;
          timer.current = setTimeout(() => {
            timer.current = null;
            setHeard(true);
            void queryClient.invalidateQueries({ queryKey: trpc.batch.get.queryKey({ batchId }) });
            void queryClient.invalidateQueries({ queryKey: trpc.batch.tasks.pathKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.batch.failures.queryKey({ batchId }) });
            void queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
          }, throttleMs);
        },
      },
    ),
  );
  // Without the stream (a proxy that drops SSE, say) the page falls back to polling.
  const failed = enabled && sub.status === 'error';
  useEffect(() => {
    if (!failed) return;
    const t = setInterval(() => {
      void queryClient.invalidateQueries({ queryKey: trpc.batch.get.queryKey({ batchId }) });
      void queryClient.invalidateQueries({ queryKey: trpc.batch.tasks.pathKey() });
    }, 3_000);
    return () => clearInterval(t);
  }, [failed, queryClient, trpc, batchId]);

  if (!enabled) return 'idle';
  if (sub.status === 'error') return 'error';
  if (sub.status === 'connecting' && !heard) return 'connecting';
  return 'live';
}
