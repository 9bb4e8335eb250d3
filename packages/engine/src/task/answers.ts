import type { CreateTaskResult, GetTaskResult, ProviderError, RemoteStatus } from '../ports/gateway.ts';
import { noteQuery } from './blindTime.ts';
import { judgeStatus, type StatusVerdict } from './decisions.ts';
import type { TaskContext, TaskEmitted } from './taskMachine.ts';

/**
 * What a task makes of the answers it gets (status queries, verified callbacks, createTask): the verdict on a
 * status answer and the steps that fold it into the task's context. The machine (taskMachine.ts) wires them
 * into its guards and actions.
 */
export type AnyTaskEvent = { type: string; status?: RemoteStatus; result?: GetTaskResult | CreateTaskResult };

function resultOfEvent(event: AnyTaskEvent): GetTaskResult {
  return event.type === 'REMOTE_PROGRESS' ? { ok: true, status: event.status! } : (event.result as GetTaskResult);
}

/** The error of a createTask answer; null for a success or for any other event. */
export function errorOfCreate(event: AnyTaskEvent): ProviderError | null {
  if (event.type !== 'CREATE_RESULT') return null;
  const result = event.result as CreateTaskResult;
  return result.ok ? null : result.error;
}

export function elapsed(context: TaskContext): number {
  return context.submittedAt === null ? 0 : context.runtime.now() - context.submittedAt;
}

/**
 * The last verdict, by what it was judged from: the guards of one status answer's candidate transitions and its
 * action all ask (up to five times), and a verdict is a new object each time. A verdict is never changed.
 */
const lastVerdict = { event: null as AnyTaskEvent | null, elapsedMs: 0, graceMs: 0, verdict: null as StatusVerdict | null };

export function verdictOf(context: TaskContext, event: AnyTaskEvent): StatusVerdict {
  const elapsedMs = elapsed(context);
  const graceMs = context.runtime.notFoundGraceMs;
  const last = lastVerdict;
  if (last.event === event && last.elapsedMs === elapsedMs && last.graceMs === graceMs) return last.verdict!;
  last.verdict = judgeStatus(resultOfEvent(event), elapsedMs, graceMs);
  last.event = event;
  last.elapsedMs = elapsedMs;
  last.graceMs = graceMs;
  return last.verdict;
}

/**
 * One thing a status answer (a poll's or a verified callback's) changes: the context fields it sets, and what it
 * tells the supervisor. Steps compose into one action, so a poll's answer is one context update, not four. A step
 * reads what earlier steps of the same answer set through `latest`, and returns null when it changes nothing.
 */
type AnswerStep = (
  context: TaskContext,
  patch: Partial<TaskContext>,
  verdict: StatusVerdict,
  event: AnyTaskEvent,
  tell: { emit(e: TaskEmitted): void },
) => Partial<TaskContext> | null;

/** A context field as the answer's earlier steps left it. */
function latest<K extends keyof TaskContext>(context: TaskContext, patch: Partial<TaskContext>, key: K): TaskContext[K] {
  return key in patch ? (patch[key] as TaskContext[K]) : context[key];
}

/** Records progress; tells the supervisor only when something changed (callbacks repeat themselves). */
const trackProgress: AnswerStep = (context, patch, v, _event, tell) => {
  if (v.kind !== 'inProgress') return null;
  const known = latest(context, patch, 'progress');
  const progress = v.status.progress ?? known;
  if (v.status.state === latest(context, patch, 'remoteState') && progress === known) return null;
  tell.emit({ type: 'status', remoteState: v.status.state, progress });
  return { remoteState: v.status.state, progress };
};

/** A failed query: back off further if the provider asked; report account-level trouble. */
const noteQueryFailure: AnswerStep = (context, patch, v, _event, tell) => {
  if (v.kind !== 'queryFailed') return null;
  if (v.error.code === 401 || v.error.code === 402 || v.error.code === 433) tell.emit({ type: 'providerTrouble', error: v.error, accountId: context.accountId });
  return v.error.code === 429 ? { poll: { ...latest(context, patch, 'poll'), penaltyMs: v.error.retryAfterMs ?? context.runtime.retry.throttleBaseMs } } : null;
};

const noteBlindTime: AnswerStep = (context, patch, _v, event) => {
  if (event.type !== 'STATUS_RESULT') return null;
  const blind = latest(context, patch, 'blind');
  const next = noteQuery(blind, event.result as GetTaskResult, context.runtime.now());
  return next === blind ? null : { blind: next };
};

/** KIE answered (still running: the cue was stale or forged); only a failed query keeps the cue open. */
const settleCue: AnswerStep = (context, patch, v) => {
  const poll = latest(context, patch, 'poll');
  return poll.cued && v.kind !== 'queryFailed' ? { poll: { ...poll, cued: false } } : null;
};

interface AnswerArgs {
  context: TaskContext;
  event: AnyTaskEvent;
  enqueue: { emit(e: TaskEmitted): void; assign(patch: Partial<TaskContext>): void };
}

/** Carries out answer steps, each seeing what the previous ones set, as one context update (one patch). */
export function answer({ context, event, enqueue }: AnswerArgs, steps: readonly AnswerStep[]): void {
  const verdict = verdictOf(context, event);
  let patch: Partial<TaskContext> | null = null;
  for (let i = 0; i < steps.length; i++) {
    const changed = steps[i]!(context, patch ?? NO_PATCH, verdict, event, enqueue);
    if (changed) patch = Object.assign(patch ?? {}, changed);
  }
  if (patch) enqueue.assign(patch);
}

const NO_PATCH: Partial<TaskContext> = Object.freeze({});

/** The step lists the actions carry out (made once: an action runs on every answer). */
export const ANSWERS = {
  progress: [trackProgress],
  queryFailure: [noteQueryFailure],
  blindTime: [noteBlindTime],
  cue: [settleCue],
  usual: [trackProgress, noteQueryFailure, noteBlindTime, settleCue],
} as const;
