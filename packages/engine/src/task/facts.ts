import type { EngineEventBody } from '../events.ts';
import type { TaskFacts, TaskSpec } from './types.ts';

/** The facts of a task that has not been admitted yet. */
export function initialFacts<S extends { taskId: string }>(spec: S): TaskFacts<S> {
  return {
    spec,
    state: 'queued',
    attempts: 0,
    generationRetries: 0,
    remoteTaskId: null,
    accountId: null,
    submittedAt: null,
    nextDueAt: null,
    progress: null,
    resultUrls: [],
    failure: null,
  };
}

type TaskEventBody = Extract<EngineEventBody, { taskId: string }>;
type WithoutOwner<E> = E extends unknown ? Omit<E, 'batchId' | 'userId'> : never;

/**
 * An event as the reducer reads it: any engine event, or a task event's own fields plus the engine-clock time
 * it happened (a host recording a fact before the engine's event exists, e.g. an attempt before createTask).
 */
export type FactEvent = (WithoutOwner<TaskEventBody> | { type: Exclude<EngineEventBody['type'], TaskEventBody['type']> }) & { at: number };

/**
 * Folds one engine event into a task's facts: the ONE derivation of task state. The supervisor updates its
 * records only through it, the API persists its output (so the rows hold exactly what `hydrateSupervisor`
 * needs after a crash), and the web client folds the event stream with it. Events of other tasks and
 * batch-level events leave the facts unchanged.
 */
export function applyTaskEvent<S extends { taskId: string } = TaskSpec>(facts: TaskFacts<S>, event: FactEvent): TaskFacts<S> {
  if (!('taskId' in event) || event.taskId !== facts.spec.taskId) return facts;
  switch (event.type) {
    case 'task.admitted':
      return { ...facts, attempts: event.attempt };
    case 'task.submitting':
      return { ...facts, state: 'submitting', attempts: event.attempt, remoteTaskId: null, accountId: event.accountId, submittedAt: null, nextDueAt: null, progress: null };
    case 'task.submitted':
      return { ...facts, state: 'polling', attempts: event.attempt, remoteTaskId: event.remoteTaskId, submittedAt: event.at };
    case 'task.status':
      return event.progress === null ? facts : { ...facts, progress: event.progress };
    case 'task.retryScheduled':
      return {
        ...facts,
        state: 'retrying',
        attempts: event.nextAttempt,
        generationRetries: event.generationRetries,
        remoteTaskId: null,
        accountId: null,
        submittedAt: null,
        nextDueAt: event.dueAt,
        progress: null,
        failure: { code: String(event.code), message: event.message },
      };
    case 'task.paused':
      return { ...facts, state: 'paused', nextDueAt: null };
    case 'task.resumed':
      return { ...facts, state: 'queued' };
    case 'task.requeued':
      return initialFacts(facts.spec);
    case 'task.succeeded':
      return { ...facts, state: 'succeeded', remoteTaskId: event.remoteTaskId, nextDueAt: null, progress: 100, resultUrls: event.resultUrls, failure: null };
    case 'task.failed':
      return { ...facts, state: 'failed', nextDueAt: null, failure: { code: String(event.code), message: event.message } };
    case 'task.timedOut':
      return {
        ...facts,
        state: 'timedOut',
        nextDueAt: null,
        failure: { code: 'timeout', message: `no result within ${Math.round(event.timeoutMs / 1000)} s` },
      };
    case 'task.cancelled':
      return { ...facts, state: 'cancelled', nextDueAt: null };
    default:
      return facts;
  }
}

/**
 * Persisted facts made ready to resume after a restart: a task that reached KIE polls (from now, if the host
 * lost the acceptance time); a retry with no due time is due now.
 */
export function resumableFacts(facts: TaskFacts, now: number): TaskFacts {
  if ((facts.state === 'submitting' || facts.state === 'polling') && facts.remoteTaskId !== null) {
    return { ...facts, state: 'polling', submittedAt: facts.submittedAt ?? now };
  }
  if (facts.state === 'retrying' && facts.nextDueAt === null) return { ...facts, nextDueAt: now };
  return facts;
}
