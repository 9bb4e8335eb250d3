import type { EngineEvent } from '../events.ts';
import type { TaskFacts, TaskSpec } from './types.ts';

/** The facts of a task that has not been admitted yet. */
export function initialFacts(spec: TaskSpec): TaskFacts {
  return { spec, state: 'queued', attempts: 0, generationRetries: 0, remoteTaskId: null, submittedAt: null, nextDueAt: null };
}

/**
 * Folds one engine event into a task's durable facts. A host that persists events (or applies them
 * to task rows) with this reducer holds exactly what `hydrateSupervisor` needs after a crash.
 * Events of other tasks and batch-level events leave the facts unchanged.
 */
export function applyTaskEvent(facts: TaskFacts, event: EngineEvent): TaskFacts {
  if (!('taskId' in event) || event.taskId !== facts.spec.taskId) return facts;
  switch (event.type) {
    case 'task.admitted':
      return { ...facts, attempts: event.attempt };
    case 'task.submitting':
      return { ...facts, state: 'submitting', attempts: event.attempt, remoteTaskId: null, submittedAt: null, nextDueAt: null };
    case 'task.submitted':
      return { ...facts, state: 'polling', remoteTaskId: event.remoteTaskId, submittedAt: event.at };
    case 'task.retryScheduled':
      return {
        ...facts,
        state: 'retrying',
        attempts: event.nextAttempt,
        generationRetries: event.generationRetries,
        remoteTaskId: null,
        submittedAt: null,
        nextDueAt: event.dueAt,
      };
    case 'task.paused':
      return { ...facts, state: 'paused', nextDueAt: null };
    case 'task.resumed':
      return { ...facts, state: 'queued' };
    case 'task.requeued':
      return initialFacts(facts.spec);
    case 'task.succeeded':
      return { ...facts, state: 'succeeded', remoteTaskId: event.remoteTaskId, nextDueAt: null };
    case 'task.failed':
      return { ...facts, state: 'failed', nextDueAt: null };
    case 'task.timedOut':
      return { ...facts, state: 'timedOut', nextDueAt: null };
    case 'task.cancelled':
      return { ...facts, state: 'cancelled', nextDueAt: null };
    default:
      return facts;
  }
}
