import type { TaskState } from '@clipfleet/engine';

/** Task counts folded into the progress bar's segments (failed includes timed out). */
export interface ProgressCounts {
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
}

/** Task counts by state folded into the progress bar's segments. */
export function progressCounts(total: number, byState: Partial<Record<string, number>>): ProgressCounts {
  const n = (s: string) => byState[s] ?? 0;
  return {
    total,
    succeeded: n('succeeded'),
    failed: n('failed') + n('timedOut'),
    cancelled: n('cancelled'),
    running: n('submitting') + n('polling') + n('retrying'),
  };
}

/** The engine's task states ordered for display: live states first, then ends (the test checks it lists each once). */
export const STATE_ORDER: readonly TaskState[] = ['queued', 'submitting', 'polling', 'retrying', 'paused', 'succeeded', 'failed', 'timedOut', 'cancelled'];
