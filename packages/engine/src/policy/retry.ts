import type { RetryConfig } from '../config/schema.ts';
import type { ProviderError } from '../ports/gateway.ts';

/**
 * What to do after a provider error, from the table in kie-api.md:
 * - retry: the attempt failed in a way another attempt may fix (uses the retry budget);
 * - throttle: the provider asks us to slow down (429, 455): wait and resubmit, budget untouched;
 * - halt: the account cannot submit (401 auth, 402 KIE credits, 433 sub-key limit): stop all
 *   submissions until an operator resumes; the task keeps its place and its budget;
 * - fatal: retrying cannot help (bad request, validation, feature disabled, content refusal).
 */
export type ErrorDecision =
  | { kind: 'retry'; generationFailure: boolean }
  | { kind: 'throttle'; retryAfterMs: number | undefined }
  | { kind: 'halt' }
  /** The host could not read or write its own store: wait and resubmit, budget untouched, provider not blamed. */
  | { kind: 'storage' }
  | { kind: 'fatal' };

/** The engine-side code of a host storage failure (provider codes are below 1000). */
export const STORAGE_ERROR_CODE = 1002;

const CONTENT_REFUSAL = /safety|nsfw|copyright|content[ _-]?polic|policy violation|moderation|prohibited|violat/i;

/** Whether a failure message is a content-policy refusal (never worth retrying). */
export function isContentPolicyRefusal(message: string | undefined): boolean {
  return message !== undefined && CONTENT_REFUSAL.test(message);
}

/** Classifies an error from createTask, or a generation failure (code 501 with KIE's failMsg). */
export function classifyError(error: ProviderError): ErrorDecision {
  const decision = classifyCode(error);
  // A content refusal is final whatever code carries it: another attempt would be refused again.
  return decision.kind === 'retry' && isContentPolicyRefusal(error.message) ? { kind: 'fatal' } : decision;
}

function classifyCode(error: ProviderError): ErrorDecision {
  switch (error.code) {
    case 429:
    case 455:
      return { kind: 'throttle', retryAfterMs: error.retryAfterMs };
    case 401:
    case 402:
    case 433:
      return { kind: 'halt' };
    case STORAGE_ERROR_CODE:
      return { kind: 'storage' };
    case 0: // transport failure: no answer, nothing known to be created
    case 408:
    case 500:
    case 502:
    case 503:
    case 504:
      return { kind: 'retry', generationFailure: false };
    case 501:
      return { kind: 'retry', generationFailure: true };
    default:
      return { kind: 'fatal' };
  }
}

/**
 * A failed generation (state `fail`) as a provider error. KIE's table calls it 501, and so do we, so
 * its smaller retry budget applies whatever failCode came with it; a 4xx failCode (the input was
 * rejected) keeps its code and is final.
 */
export function generationFailure(failCode: string | number | undefined, failMsg: string | undefined): ProviderError {
  const numeric = typeof failCode === 'number' ? failCode : Number.parseInt(failCode ?? '', 10);
  return { code: numeric >= 400 && numeric < 500 ? numeric : 501, message: failMsg || 'generation failed' };
}

export interface RetryBudget {
  /** Attempts started that counted against the budget (the first attempt is 1). */
  attempts: number;
  /** Of those retries, how many followed a generation failure (501). */
  generationRetries: number;
}

/** Whether a retryable failure of attempt `attempts` may be retried. */
export function mayRetry(decision: ErrorDecision, budget: RetryBudget, config: RetryConfig): boolean {
  if (decision.kind !== 'retry') return false;
  if (budget.attempts > config.maxRetries) return false;
  return !decision.generationFailure || budget.generationRetries < config.maxGenerationFailureRetries;
}

/**
 * Delay before retry number `retry` (1-based): the configured ladder (seed: 2 s, 4 s, 8 s), the last
 * step repeating, plus jitter in [0, jitterRatio x delay) when a random source is given.
 */
export function retryDelayMs(retry: number, config: RetryConfig, random?: () => number): number {
  const ladder = config.backoffMs;
  const base = ladder[Math.min(retry, ladder.length) - 1]!;
  return random && config.jitterRatio > 0 ? Math.floor(base * (1 + config.jitterRatio * random())) : base;
}

/**
 * The retry budget in force. While the provider is degraded (its cap or the user's concurrency lowered by
 * failures), failed generations are mostly the provider's overload, not the prompt's: they may use the whole
 * retry budget instead of the small one for generation failures. Content refusals stay final (classifyError).
 */
export function retryBudget(config: RetryConfig, providerDegraded: boolean): RetryConfig {
  if (!providerDegraded || config.maxGenerationFailureRetries >= config.maxRetries) return config;
  return { ...config, maxGenerationFailureRetries: config.maxRetries };
}

/** Wait after the n-th consecutive throttle (1-based): Retry-After when given, else doubling from base to max. */
export function throttleDelayMs(consecutive: number, config: RetryConfig, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, config.throttleMaxMs);
  return Math.min(config.throttleBaseMs * 2 ** Math.max(0, consecutive - 1), config.throttleMaxMs);
}
