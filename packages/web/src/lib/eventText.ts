import { formatDuration } from './format.ts';
import type { TaskEvent } from './inspectorFeed.ts';

/** One task event as a line of the task's log (every kind is named: a new one fails the type check here). */
export function eventText(e: TaskEvent): { text: string; detail?: string } {
  switch (e.type) {
    case 'task.admitted':
      return { text: `admitted (attempt ${e.attempt})` };
    case 'task.submitting':
      return { text: `submitting attempt ${e.attempt}` };
    case 'task.submitted':
      return { text: `submitted attempt ${e.attempt}`, detail: `remote id ${e.remoteTaskId}` };
    case 'task.status':
      return { text: `status ${e.remoteState}${e.progress !== null ? ` · ${e.progress}%` : ''}` };
    case 'task.retryScheduled':
      return {
        text: `retry in ${formatDuration(e.delayMs)} (attempt ${e.nextAttempt})`,
        detail: `${e.code}: ${e.message}${e.consumesAttempt ? '' : ' (does not use the retry budget)'}`,
      };
    case 'task.paused':
      return { text: 'paused' };
    case 'task.resumed':
      return { text: 'resumed' };
    case 'task.requeued':
      return { text: 'queued again for a retry round' };
    case 'task.succeeded':
      return { text: `succeeded after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`, detail: e.resultUrls[0] };
    case 'task.failed':
      return { text: `failed (${e.code})`, detail: e.message };
    case 'task.timedOut':
      return { text: `timed out after ${formatDuration(e.timeoutMs)}` };
    case 'task.cancelled':
      return { text: 'cancelled', detail: e.submitted ? 'a remote job existed' : undefined };
  }
}
