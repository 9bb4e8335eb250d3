import { TRPCClientError } from '@trpc/client';

/** Exit codes scripts can rely on. */
export const EXIT = {
  /** Done: the command did what was asked (for a watched batch: every task succeeded). */
  ok: 0,
  /** A watched batch ended with failed, timed-out or cancelled tasks. */
  someFailed: 1,
  /** Bad input: a bad CSV row, an unknown option value, a batch that does not exist; nothing was submitted. */
  badInput: 2,
  /** The server could not be reached, refused the key, or failed. */
  unavailable: 3,
} as const;

/** A failure with its exit code and a message for the user (one or more lines). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const BAD_INPUT = new Set(['BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'PAYMENT_REQUIRED', 'PARSE_ERROR']);

/** Maps any error to what the CLI prints and exits with. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: string } | undefined)?.code;
    if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
      return new CliError(`the server refused the key: ${err.message} (set CLIPFLEET_KEY)`, EXIT.unavailable);
    }
    if (code && BAD_INPUT.has(code)) return new CliError(err.message, EXIT.badInput);
    if (!code) return new CliError(`cannot reach the ClipFleet server: ${err.message} (is CLIPFLEET_URL right?)`, EXIT.unavailable);
    return new CliError(`the server failed: ${err.message}`, EXIT.unavailable);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(message, EXIT.unavailable);
}
