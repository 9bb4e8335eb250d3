import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/types.ts';

/** Repository functions take either the database or a transaction (inside a transaction only `trx` may be used). */
export type Executor = Kysely<Database> | Transaction<Database>;

/** Multi-row inserts are chunked: SQLite caps bound parameters per statement. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Lets the event loop run between the chunks of a big write (10,000 rows): better-sqlite3 is synchronous, and
 * other requests only queue behind the transaction instead of stalling the whole server.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
