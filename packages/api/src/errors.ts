import { ConfigError } from '@clipfleet/engine';
import { RowsError } from './batches/normalize.ts';

/**
 * What can go wrong in a request, in the domain's words. Business code throws these (never a transport's
 * error); `transportError` is the one mapping to tRPC codes and HTTP statuses.
 */
export type DomainErrorKind = 'invalid' | 'notFound' | 'conflict' | 'paymentRequired' | 'unauthorized' | 'tooManyRequests';

export class DomainError extends Error {
  /** When asking again can succeed (a throttle): REST sends it as Retry-After. */
  readonly retryAfterS: number | undefined;

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options?: ErrorOptions & { retryAfterS?: number },
  ) {
    super(message, options);
    this.name = 'DomainError';
    this.retryAfterS = options?.retryAfterS;
  }
}

export const invalid = (message: string, cause?: unknown) => new DomainError('invalid', message, { cause });
export const notFound = (message: string) => new DomainError('notFound', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const paymentRequired = (message: string) => new DomainError('paymentRequired', message);
export const unauthorized = (message: string) => new DomainError('unauthorized', message);
export const tooManyRequests = (message: string, retryAfterS: number) => new DomainError('tooManyRequests', message, { retryAfterS });

const TRANSPORT = {
  invalid: { trpc: 'BAD_REQUEST', http: 400 },
  notFound: { trpc: 'NOT_FOUND', http: 404 },
  conflict: { trpc: 'CONFLICT', http: 409 },
  paymentRequired: { trpc: 'PAYMENT_REQUIRED', http: 402 },
  unauthorized: { trpc: 'UNAUTHORIZED', http: 401 },
  tooManyRequests: { trpc: 'TOO_MANY_REQUESTS', http: 429 },
} as const satisfies Record<DomainErrorKind, { trpc: string; http: number }>;

/** A domain error as a transport reports it; undefined for anything else (a bug: a 500). */
export function transportError(
  err: unknown,
): { trpc: (typeof TRANSPORT)[DomainErrorKind]['trpc']; http: number; message: string; retryAfterS?: number } | undefined {
  const domain =
    err instanceof DomainError
      ? err
      : err instanceof RowsError
        ? invalid(err.message, err)
        : err instanceof ConfigError
          ? invalid(`${err.path || 'config'}: ${err.message}`, err)
          : undefined;
  if (!domain) return undefined;
  return { ...TRANSPORT[domain.kind], message: domain.message, ...(domain.retryAfterS !== undefined ? { retryAfterS: domain.retryAfterS } : {}) };
}
