import type { GetTaskResult, ProviderError } from '../ports/gateway.ts';

/**
 * Time in which KIE could not be asked about a task (maintenance 455, 5xx, transport errors on status queries).
 * It does not count against the attempt's deadline: a job KIE finished during an outage is collected when KIE
 * answers again, not refunded as timed out. An interval opens at the first unanswered query and closes at the
 * next answer (any answer: KIE was reachable again).
 */
export interface BlindTime {
  blindMs: number;
  blindSince: number | null;
}

export const NO_BLIND_TIME: BlindTime = { blindMs: 0, blindSince: null };

/** Whether a failed status query means KIE could not be asked (rather than a real answer about the task). */
export function isUnreachable(error: ProviderError): boolean {
  return error.code === 0 || error.code === 455 || (error.code >= 500 && error.code <= 599);
}

export function unreachableResult(result: GetTaskResult): boolean {
  return !result.ok && isUnreachable(result.error);
}

/** Folds one status query's outcome into the blind time. */
export function noteQuery(blind: BlindTime, result: GetTaskResult, now: number): BlindTime {
  if (unreachableResult(result)) return blind.blindSince === null ? { ...blind, blindSince: now } : blind;
  if (blind.blindSince === null) return blind;
  return { blindMs: blind.blindMs + Math.max(0, now - blind.blindSince), blindSince: null };
}

/** The attempt's deadline: the timeout after acceptance, moved by every closed blind interval. */
export function attemptDeadline(submittedAt: number, timeoutMs: number, blind: BlindTime): number {
  return submittedAt + timeoutMs + blind.blindMs;
}
