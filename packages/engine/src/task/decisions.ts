import type { RetryConfig } from '../config/schema.ts';
import type { GetTaskResult, ProviderError, RemoteStatus } from '../ports/gateway.ts';
import { classifyError, generationFailure, mayRetry, retryDelayMs, throttleDelayMs } from '../policy/retry.ts';

/** The retry-relevant part of a task's context. */
export interface AttemptState {
  attempt: number;
  generationRetries: number;
  throttles: number;
}

/** Where a task goes after an error on createTask or a failed generation, and with what delay. */
export type AfterError =
  | { next: 'retrying'; consumesAttempt: boolean; delayMs: number; attempt: number; generationRetries: number; throttles: number }
  | { next: 'halted' }
  | { next: 'failed' };

export function decideAfterError(
  state: AttemptState,
  error: ProviderError,
  retry: RetryConfig,
  random?: () => number,
): AfterError {
  const decision = classifyError(error);
  switch (decision.kind) {
    case 'throttle':
    case 'storage': {
      const throttles = state.throttles + 1;
      const delayMs = throttleDelayMs(throttles, retry, decision.kind === 'throttle' ? decision.retryAfterMs : undefined);
      return { next: 'retrying', consumesAttempt: false, delayMs, attempt: state.attempt, generationRetries: state.generationRetries, throttles };
    }
    case 'halt':
      return { next: 'halted' };
    case 'fatal':
      return { next: 'failed' };
    case 'retry': {
      if (!mayRetry(decision, { attempts: state.attempt, generationRetries: state.generationRetries }, retry)) return { next: 'failed' };
      return {
        next: 'retrying',
        consumesAttempt: true,
        delayMs: retryDelayMs(state.attempt, retry, random),
        attempt: state.attempt + 1,
        generationRetries: state.generationRetries + (decision.generationFailure ? 1 : 0),
        throttles: 0,
      };
    }
  }
}

/** What a status answer (poll or callback) means for a task that is being generated. */
export type StatusVerdict =
  | { kind: 'succeeded'; status: RemoteStatus }
  | { kind: 'generationFailed'; error: ProviderError }
  | { kind: 'inProgress'; status: RemoteStatus }
  /** The record is not visible yet (422 "recordInfo is null" / 404 right after create). */
  | { kind: 'notYet' }
  /** Gone for good after the grace period. */
  | { kind: 'lost'; error: ProviderError }
  /** The query itself failed; the task is fine, ask again later. */
  | { kind: 'queryFailed'; error: ProviderError };

export function judgeStatus(result: GetTaskResult, elapsedMs: number, notFoundGraceMs: number): StatusVerdict {
  if (result.ok) {
    const { status } = result;
    if (status.state === 'success') return { kind: 'succeeded', status };
    if (status.state === 'fail') return { kind: 'generationFailed', error: generationFailure(status.failCode, status.failMsg) };
    return { kind: 'inProgress', status };
  }
  const { error } = result;
  if (error.code === 422 || error.code === 404) {
    return elapsedMs < notFoundGraceMs ? { kind: 'notYet' } : { kind: 'lost', error };
  }
  return { kind: 'queryFailed', error };
}
