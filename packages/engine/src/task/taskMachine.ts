import { and, assign, emit, enqueueActions, setup } from 'xstate';
import type { RetryConfig } from '../config/schema.ts';
import type { CreateTaskResult, GetTaskResult, ProviderError, RemoteState, RemoteStatus } from '../ports/gateway.ts';
import { answer, ANSWERS, elapsed, errorOfCreate, verdictOf } from './answers.ts';
import { attemptDeadline, NO_BLIND_TIME, noteQuery, unreachableResult, type BlindTime } from './blindTime.ts';
import { decideAfterError } from './decisions.ts';
import type { TaskSpec, TerminalState } from './types.ts';

/**
 * Everything a task needs from its host, fixed when the task is admitted (hot reload affects the next ones).
 * The two calls to KIE are effects the host carries out: it sends the answer back to the task as an event.
 */
export interface TaskRuntime {
  /** Calls createTask for the current attempt on the KIE account of its permit; the answer comes back as CREATE_RESULT. */
  createRemoteTask(attempt: number, accountId: string): void;
  /** Asks the job's KIE account for its status; the answer comes back as STATUS_RESULT with this query number. */
  queryStatus(remoteTaskId: string, queryId: number, accountId: string | null): void;
  now(): number;
  /** Delay to the next status poll, given time elapsed since the provider accepted the attempt. */
  pollDelayMs(elapsedMs: number): number;
  timeoutMs: number;
  notFoundGraceMs: number;
  retry: RetryConfig;
  random?: () => number;
}

export interface TaskMachineInput {
  spec: TaskSpec;
  runtime: TaskRuntime;
  /** Where to begin: fresh and resumed tasks queue for a create slot; hydrated ones may resume mid-flight. */
  start: 'queued' | 'polling' | 'retrying';
  /** Current attempt number (1 for a fresh task). */
  attempt: number;
  generationRetries: number;
  remoteTaskId: string | null;
  /** The KIE account of the current attempt's job (a hydrated task polls it there). */
  accountId: string | null;
  submittedAt: number | null;
  retryDueAt: number | null;
}

/** The polling bookkeeping of a task, one field of its context. */
export interface PollState {
  nextMs: number;
  /** Extra wait requested by the provider for the next poll (429 on recordInfo). */
  penaltyMs: number;
  /** Number of the status query in flight: an answer to an older one is ignored. */
  queryId: number;
  /** A callback cue came while a query was in flight (whose answer may predate the job's end): ask again. */
  cuePending: boolean;
  /** A callback said the job ended and KIE has not answered yet (its query failed): ask again soon. */
  cued: boolean;
}

/**
 * A task's context. Kept under 20 fields: XState copies the context with Object.assign on every assign, and V8
 * turns a copy of 20 or more properties into a slow dictionary object (20 times the cost per transition).
 */
export interface TaskContext extends Omit<TaskMachineInput, 'start'> {
  throttles: number;
  remoteState: RemoteState | null;
  progress: number | null;
  resultUrls: string[];
  /** Generation time by the provider's own timestamps, when it reports them. */
  remoteDurationMs: number | null;
  lastError: ProviderError | null;
  cancelRequested: boolean;
  poll: PollState;
  /** Time KIE could not be asked about this attempt: it moves the deadline (see blindTime.ts). */
  blind: BlindTime;
  /** The deadline passed while KIE could not be asked: polling goes on until it answers. */
  overdue: boolean;
}

export type TaskEvent =
  /** The supervisor granted a createTask permit on this KIE account. */
  | { type: 'SUBMIT'; accountId: string }
  | { type: 'PAUSE' }
  | { type: 'CANCEL' }
  /** A callback claims the job ended: ask KIE now (a callback is a cue, never a verdict). */
  | { type: 'CALLBACK_CUE' }
  /** Progress from a verified, fresh, first-seen callback: shown, never acted on. */
  | { type: 'REMOTE_PROGRESS'; status: RemoteStatus }
  /** The answer to createTask (sent by the host). */
  | { type: 'CREATE_RESULT'; result: CreateTaskResult }
  /** The answer to status query `queryId` (sent by the host). */
  | { type: 'STATUS_RESULT'; queryId: number; result: GetTaskResult };

/** What a task tells its supervisor. */
export type TaskEmitted =
  | { type: 'needsSlot' }
  | { type: 'submitting'; attempt: number; accountId: string }
  | { type: 'submitted'; attempt: number; remoteTaskId: string }
  | { type: 'status'; remoteState: RemoteState; progress: number | null }
  | { type: 'retryScheduled'; nextAttempt: number; generationRetries: number; delayMs: number; dueAt: number; error: ProviderError; consumesAttempt: boolean }
  /** An account-level error on a call made on `accountId`. */
  | { type: 'providerTrouble'; error: ProviderError; accountId: string | null }
  | { type: 'paused' }
  | { type: 'ended'; outcome: TerminalState; error: ProviderError | null; resultUrls: string[]; elapsedMs: number | null; remoteDurationMs: number | null };


/** After a callback, a failed confirming query is repeated this soon, not on the backstop's schedule. */
const CUE_RETRY_MS = 5_000;

/** How long the last status check at the deadline may take before the task times out anyway. */
const FINAL_CHECK_LIMIT_MS = 60_000;

/** What a task does with an answer to its own status query that ends the attempt (the callers add the rest). */
const ON_REMOTE_END = [
  { guard: and(['currentQuery', 'remoteSucceeded']), target: '#task.succeeded', actions: 'recordSuccess' },
  { guard: and(['currentQuery', 'generationWillRetry']), target: '#task.retrying', actions: ['scheduleRetry', 'announceRetry'] },
  { guard: and(['currentQuery', 'remoteFailed']), target: '#task.failed', actions: 'recordRemoteFailure' },
] as const;

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    input: {} as TaskMachineInput,
    events: {} as TaskEvent,
    emitted: {} as TaskEmitted,
  },
  delays: {
    pollDelay: ({ context }) => context.poll.nextMs,
    retryDelay: ({ context }) => Math.max(0, (context.retryDueAt ?? 0) - context.runtime.now()),
    attemptTimeout: ({ context }) =>
      Math.max(0, attemptDeadline(context.submittedAt ?? 0, context.runtime.timeoutMs, context.blind) - context.runtime.now()),
  },
  guards: {
    startsPolling: ({ context }) => context.remoteTaskId !== null && context.submittedAt !== null,
    startsRetrying: ({ context }) => context.retryDueAt !== null,
    currentQuery: ({ context, event }) => event.type === 'STATUS_RESULT' && event.queryId === context.poll.queryId,
    cancelRequested: ({ context }) => context.cancelRequested,
    cuePending: ({ context }) => context.poll.cuePending,
    /** The final check at the deadline could not reach KIE: keep polling, the deadline waits for an answer. */
    unreachable: ({ event }) => event.type === 'STATUS_RESULT' && unreachableResult(event.result),
    /** Blind time closed by this answer moved the deadline past now: wait for it again. */
    deadlineMoved: ({ context, event }) =>
      event.type === 'STATUS_RESULT' &&
      attemptDeadline(context.submittedAt ?? 0, context.runtime.timeoutMs, noteQuery(context.blind, event.result, context.runtime.now())) > context.runtime.now(),
    /** A task past its deadline polled on through an outage, and KIE answers again. */
    overdueAnswered: ({ context, event }) => context.overdue && event.type === 'STATUS_RESULT' && !unreachableResult(event.result),
    created: ({ event }) => errorOfCreate(event) === null,
    createWillRetry: ({ context, event }) =>
      decideAfterError(context, errorOfCreate(event)!, context.runtime.retry).next === 'retrying',
    createHalted: ({ context, event }) =>
      decideAfterError(context, errorOfCreate(event)!, context.runtime.retry).next === 'halted',
    remoteSucceeded: ({ context, event }) => verdictOf(context, event).kind === 'succeeded',
    generationWillRetry: ({ context, event }) => {
      const v = verdictOf(context, event);
      return v.kind === 'generationFailed' && decideAfterError(context, v.error, context.runtime.retry).next === 'retrying';
    },
    remoteFailed: ({ context, event }) => {
      const kind = verdictOf(context, event).kind;
      return kind === 'generationFailed' || kind === 'lost';
    },
  },
  actions: {
    askForSlot: emit({ type: 'needsSlot' as const }),
    takeAccount: assign(({ event }) => (event.type === 'SUBMIT' ? { accountId: event.accountId } : {})),
    announceSubmitting: emit(({ context }) => ({ type: 'submitting' as const, attempt: context.attempt, accountId: context.accountId! })),
    createRemoteTask: ({ context }) => context.runtime.createRemoteTask(context.attempt, context.accountId!),
    recordSubmission: assign(({ context, event }) => {
      const result = (event as { result: CreateTaskResult }).result;
      return {
        remoteTaskId: result.ok ? result.remoteTaskId : null, submittedAt: context.runtime.now(), throttles: 0, retryDueAt: null, lastError: null,
        blind: NO_BLIND_TIME, overdue: false,
      };
    }),
    announceSubmitted: emit(({ context }) => ({ type: 'submitted' as const, attempt: context.attempt, remoteTaskId: context.remoteTaskId! })),
    requestCancel: assign({ cancelRequested: true }),
    /** Schedules the next attempt (or a budget-free resubmission after a throttle) and tells the supervisor. */
    scheduleRetry: assign(({ context, event }) => {
      const error = errorOfCreate(event) ?? (verdictOf(context, event) as { error: ProviderError }).error;
      const decision = decideAfterError(context, error, context.runtime.retry, context.runtime.random);
      if (decision.next !== 'retrying') return {};
      return {
        attempt: decision.attempt,
        generationRetries: decision.generationRetries,
        throttles: decision.throttles,
        retryDueAt: context.runtime.now() + decision.delayMs,
        remoteTaskId: null,
        submittedAt: null,
        remoteState: null,
        progress: null,
        lastError: error,
      };
    }),
    announceRetry: emit(({ context }) => ({
      type: 'retryScheduled' as const,
      nextAttempt: context.attempt,
      generationRetries: context.generationRetries,
      delayMs: (context.retryDueAt ?? 0) - context.runtime.now(),
      dueAt: context.retryDueAt ?? 0,
      error: context.lastError!,
      consumesAttempt: context.throttles === 0,
    })),
    reportCreateTrouble: emit(({ context, event }) => ({ type: 'providerTrouble' as const, error: errorOfCreate(event)!, accountId: context.accountId })),
    recordCreateError: assign(({ event }) => ({ lastError: errorOfCreate(event) })),
    recordRemoteFailure: assign(({ context, event }) => {
      const v = verdictOf(context, event);
      return { lastError: v.kind === 'generationFailed' || v.kind === 'lost' ? v.error : context.lastError };
    }),
    recordSuccess: assign(({ context, event }) => {
      const v = verdictOf(context, event);
      if (v.kind !== 'succeeded') return {};
      const { createTime, completeTime } = v.status;
      const remoteDurationMs = createTime !== undefined && completeTime !== undefined ? completeTime - createTime : null;
      return { resultUrls: v.status.resultUrls ?? [], remoteState: 'success' as const, progress: 100, remoteDurationMs };
    }),
    trackProgress: enqueueActions((args) => answer(args, ANSWERS.progress)),
    noteQueryFailure: enqueueActions((args) => answer(args, ANSWERS.queryFailure)),
    /** The usual answer to a poll, in one context update (each update copies the snapshot). */
    noteAnswer: enqueueActions((args) => answer(args, ANSWERS.usual)),
    nextQuery: assign(({ context }) => ({ poll: { ...context.poll, queryId: context.poll.queryId + 1, cuePending: false } })),
    noteCue: assign(({ context }) => ({ poll: { ...context.poll, cued: true } })),
    holdCue: assign(({ context }) => ({ poll: { ...context.poll, cuePending: true, cued: true } })),
    settleCue: enqueueActions((args) => answer(args, ANSWERS.cue)),
    noteBlindTime: enqueueActions((args) => answer(args, ANSWERS.blindTime)),
    markOverdue: assign({ overdue: true }),
    clearOverdue: assign({ overdue: false }),
    /** Asks for the task's status (the host sends the answer back). */
    queryStatus: ({ context }) => context.runtime.queryStatus(context.remoteTaskId!, context.poll.queryId, context.accountId),
    planNextPoll: assign(({ context }) => {
      const { poll } = context;
      const scheduled = context.runtime.pollDelayMs(elapsed(context));
      return { poll: { ...poll, nextMs: Math.max(poll.cued ? Math.min(scheduled, CUE_RETRY_MS) : scheduled, poll.penaltyMs), penaltyMs: 0 } };
    }),
    announcePaused: emit({ type: 'paused' as const }),
    announceEnd: enqueueActions(({ context, enqueue }, params: { outcome: TerminalState }) => {
      enqueue.emit({
        type: 'ended',
        outcome: params.outcome,
        error: params.outcome === 'succeeded' ? null : context.lastError,
        resultUrls: context.resultUrls,
        elapsedMs: context.submittedAt === null ? null : context.runtime.now() - context.submittedAt,
        remoteDurationMs: context.remoteDurationMs,
      });
    }),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    spec: input.spec,
    runtime: input.runtime,
    attempt: input.attempt,
    generationRetries: input.generationRetries,
    remoteTaskId: input.remoteTaskId,
    accountId: input.accountId,
    submittedAt: input.submittedAt,
    retryDueAt: input.retryDueAt,
    throttles: 0,
    remoteState: null,
    progress: null,
    resultUrls: [],
    remoteDurationMs: null,
    lastError: null,
    cancelRequested: false,
    poll: { nextMs: 0, penaltyMs: 0, queryId: 0, cuePending: false, cued: false },
    blind: NO_BLIND_TIME,
    overdue: false,
  }),
  initial: 'init',
  states: {
    init: {
      always: [
        { guard: 'startsPolling', target: 'polling' },
        { guard: 'startsRetrying', target: 'retrying' },
        { target: 'queued' },
      ],
    },
    /** Admitted, waiting for a createTask slot from the supervisor (rate limit, throttle, halt). */
    queued: {
      entry: 'askForSlot',
      on: { SUBMIT: { target: 'submitting', actions: 'takeAccount' }, PAUSE: 'paused', CANCEL: 'cancelled' },
    },
    submitting: {
      entry: ['announceSubmitting', 'createRemoteTask'],
      on: {
        // A cancel cannot abort a createTask in flight: wait for its answer so a created job is not lost track of.
        CANCEL: { actions: 'requestCancel' },
        CREATE_RESULT: [
          // Cancelled while the create was in flight: the job exists, so record it, then stop watching.
          { guard: and(['created', 'cancelRequested']), target: 'cancelled', actions: ['recordSubmission', 'announceSubmitted'] },
          { guard: 'created', target: 'polling', actions: ['recordSubmission', 'announceSubmitted'] },
          { guard: 'cancelRequested', target: 'cancelled' },
          { guard: 'createWillRetry', target: 'retrying', actions: ['scheduleRetry', 'announceRetry', 'reportCreateTrouble'] },
          { guard: 'createHalted', target: 'queued', actions: ['recordCreateError', 'reportCreateTrouble'] },
          { target: 'failed', actions: 'recordCreateError' },
        ],
      },
    },
    polling: {
      initial: 'waiting',
      // At the deadline, ask once more before giving up: the job may have just finished (or finished
      // while the host was down, for a task resumed after a restart).
      after: { attemptTimeout: '.expiring' },
      // Outcomes come only from the task's own status query: a callback makes it ask now.
      on: {
        CANCEL: 'cancelled',
        REMOTE_PROGRESS: { actions: 'trackProgress' },
        CALLBACK_CUE: { actions: 'holdCue' },
      },
      states: {
        waiting: {
          entry: 'planNextPoll',
          always: { guard: 'cuePending', target: 'checking' },
          after: { pollDelay: 'checking' },
          on: { CALLBACK_CUE: { target: 'checking', actions: 'noteCue' } },
        },
        checking: {
          entry: ['nextQuery', 'queryStatus'],
          on: {
            STATUS_RESULT: [
              ...ON_REMOTE_END,
              // Back from an outage past the deadline: the deadline, moved by the blind time, is armed again.
              { guard: and(['currentQuery', 'overdueAnswered']), target: '#task.polling', reenter: true, actions: ['noteBlindTime', 'clearOverdue', 'trackProgress', 'settleCue'] },
              { guard: 'currentQuery', target: 'waiting', actions: 'noteAnswer' },
            ],
          },
        },
        expiring: {
          entry: ['nextQuery', 'queryStatus'],
          after: { [FINAL_CHECK_LIMIT_MS]: '#task.timedOut' },
          on: {
            STATUS_RESULT: [
              ...ON_REMOTE_END,
              { guard: and(['currentQuery', 'unreachable']), target: 'waiting', actions: ['noteBlindTime', 'markOverdue', 'noteQueryFailure'] },
              { guard: and(['currentQuery', 'deadlineMoved']), target: '#task.polling', reenter: true, actions: ['noteBlindTime', 'trackProgress'] },
              { guard: 'currentQuery', target: '#task.timedOut' },
            ],
          },
        },
      },
    },
    /** Waiting out a backoff; then back to the slot queue. */
    retrying: {
      after: { retryDelay: 'queued' },
      on: { PAUSE: 'paused', CANCEL: 'cancelled' },
    },
    /** The actor ends here; the supervisor parks the task until it is resumed. */
    paused: { type: 'final', entry: 'announcePaused' },
    succeeded: { type: 'final', entry: { type: 'announceEnd', params: { outcome: 'succeeded' } } },
    failed: { type: 'final', entry: { type: 'announceEnd', params: { outcome: 'failed' } } },
    cancelled: { type: 'final', entry: { type: 'announceEnd', params: { outcome: 'cancelled' } } },
    timedOut: { type: 'final', entry: { type: 'announceEnd', params: { outcome: 'timedOut' } } },
  },
});
