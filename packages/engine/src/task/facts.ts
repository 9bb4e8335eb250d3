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
 * batch-level events leave the facts unchanged. Pure: the facts given are not changed.
 */
export function applyTaskEvent<S extends { taskId: string } = TaskSpec>(facts: TaskFacts<S>, event: FactEvent): TaskFacts<S> {
  if (!('taskId' in event) || event.taskId !== facts.spec.taskId) return facts;
  const next = { ...facts };
  return foldTaskEvent(next, event) ? next : facts;
}

/**
 * `applyTaskEvent` written into `facts` itself (its body: the pure form folds into a copy); returns whether the
 * event changed them. For a holder that owns its facts: the supervisor's live for the whole run, and a fresh
 * object per event was long-lived garbage. Fields are written in place, so their order stays initialFacts'.
 */
export function foldTaskEvent<S extends { taskId: string }>(facts: TaskFacts<S>, event: FactEvent): boolean {
  if (!('taskId' in event) || event.taskId !== facts.spec.taskId) return false;
  switch (event.type) {
    case 'task.admitted':
      facts.attempts = event.attempt;
      return true;
    case 'task.submitting':
      facts.state = 'submitting';
      facts.attempts = event.attempt;
      facts.remoteTaskId = null;
      facts.accountId = event.accountId;
      facts.submittedAt = null;
      facts.nextDueAt = null;
      facts.progress = null;
      return true;
    case 'task.submitted':
      facts.state = 'polling';
      facts.attempts = event.attempt;
      facts.remoteTaskId = event.remoteTaskId;
      facts.submittedAt = event.at;
      return true;
    case 'task.status':
      if (event.progress === null) return false;
      facts.progress = event.progress;
      return true;
    case 'task.retryScheduled':
      facts.state = 'retrying';
      facts.attempts = event.nextAttempt;
      facts.generationRetries = event.generationRetries;
      facts.remoteTaskId = null;
      facts.accountId = null;
      facts.submittedAt = null;
      facts.nextDueAt = event.dueAt;
      facts.progress = null;
      facts.failure = { code: String(event.code), message: event.message };
      return true;
    case 'task.paused':
      facts.state = 'paused';
      facts.nextDueAt = null;
      return true;
    case 'task.resumed':
      facts.state = 'queued';
      return true;
    case 'task.requeued':
      Object.assign(facts, initialFacts(facts.spec));
      return true;
    case 'task.succeeded':
      facts.state = 'succeeded';
      facts.remoteTaskId = event.remoteTaskId;
      facts.nextDueAt = null;
      facts.progress = 100;
      facts.resultUrls = event.resultUrls;
      facts.failure = null;
      return true;
    case 'task.failed':
      facts.state = 'failed';
      facts.nextDueAt = null;
      facts.failure = { code: String(event.code), message: event.message };
      return true;
    case 'task.timedOut':
      facts.state = 'timedOut';
      facts.nextDueAt = null;
      facts.failure = { code: 'timeout', message: `no result within ${Math.round(event.timeoutMs / 1000)} s` };
      return true;
    case 'task.cancelled':
      facts.state = 'cancelled';
      facts.nextDueAt = null;
      return true;
    default:
      return false;
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
