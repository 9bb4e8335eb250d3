import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/types.ts';

/** Repository functions take either the database or a transaction (inside a transaction only `trx` may be used). */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Parts for multi-row statements and `IN` lists (SQLite caps bound parameters per statement): sizes that are
 * powers of two, largest first, none above `max`. Such a statement's SQL differs with its row count, every shape
 * is prepared and cached (db/sqlite.ts), and each prepared statement is native memory (measured: 300 cached
 * 9-column inserts of 1..300 rows take 38 MB of RSS). With these sizes a statement has at most ~9 shapes instead
 * of one per row count.
 */
export function shapedChunks<T>(items: T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 2 ** Math.floor(Math.log2(Math.min(max, items.length - i)));
    out.push(items.slice(i, (i += size)));
  }
  return out;
}

/**
 * Lets the event loop run between the chunks of a big write (10,000 rows): better-sqlite3 is synchronous, and
 * other requests only queue behind the transaction instead of stalling the whole server.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
