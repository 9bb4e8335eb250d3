import type { EngineEvent } from '@clipfleet/engine';
import { formatDuration } from './format.ts';

/** One engine event as a log line for operators. */
export function eventText(e: EngineEvent): { text: string; detail?: string } {
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
    case 'concurrency.changed':
      return { text: `concurrency ${e.from} → ${e.to} (${e.reason})` };
    case 'provider.throttled':
      return { text: `provider throttled (${e.code})` };
    case 'provider.halted':
      return { text: `provider halted (${e.code})`, detail: e.message };
    case 'provider.resumed':
      return { text: 'provider resumed' };
    case 'storage.unavailable':
      return { text: 'storage cannot be written: admissions paused', detail: e.message };
    case 'storage.available':
      return { text: `storage writable again after ${formatDuration(e.downMs)}` };
    case 'batch.added':
      return { text: `batch added with ${e.taskCount} tasks` };
    case 'batch.paused':
      return { text: 'batch paused' };
    case 'batch.resumed':
      return { text: 'batch resumed' };
    case 'batch.cancelled':
      return { text: 'batch cancelled' };
    case 'batch.finished':
      return { text: 'batch finished', detail: Object.entries(e.counts).map(([k, v]) => `${k} ${v}`).join(', ') };
    case 'config.reloaded':
      return { text: 'configuration reloaded' };
    default:
      return { text: (e as { type: string }).type };
  }
}
