import { vi } from 'vitest';

/**
 * Runs `fn` as a process on a host whose wall clock is `offsetMs` off: `Date.now()` is moved, the database's
 * clock is not. Every process of a test shares one `Date`, so callers run one skewed process's steps at a time.
 */
export async function onSkewedHost<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now.bind(Date);
  const skewed = vi.spyOn(Date, 'now').mockImplementation(() => real() + offsetMs);
  try {
    return await fn();
  } finally {
    skewed.mockRestore();
  }
}
