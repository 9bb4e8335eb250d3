import { sql } from 'kysely';
import { dbKind } from '../db/dialect.ts';
import type { Db } from '../db/database.ts';
import type { Executor } from './executor.ts';

/**
 * A transaction that reports the error that sank it. Kysely's own rolls back on error and, when the rollback
 * fails too, throws the rollback's error instead: SQLite ends the transaction itself on a full disk, so the cause
 * (SQLITE_FULL) showed up as "cannot rollback - no transaction is active"; on Postgres a lost connection fails
 * its rollback the same way.
 *
 * A COMMIT whose answer is lost (the connection dropped while it ran) may have taken effect. On Postgres the
 * transaction's id is read first, and after such a failure its status is asked on another connection: committed,
 * the call returns as if answered, so the caller does not replay writes that are already in (a replayed ledger
 * insert would hit its unique key). When the status cannot be learned the error stands and the caller retries.
 */
export async function durableTransaction<T>(db: Db, fn: (trx: Executor) => Promise<T>): Promise<T> {
  const trx = await db.startTransaction().execute();
  let xid: string | undefined;
  let result: T;
  let committing = false;
  try {
    if (dbKind(db) === 'postgres') xid = (await sql<{ xid: string }>`select txid_current()::text as xid`.execute(trx)).rows[0]!.xid;
    result = await fn(trx);
    committing = true;
    await trx.commit().execute();
  } catch (err) {
    // Also gives the connection back (after a failed commit too).
    await trx.rollback().execute().catch(() => {
      /* the database already ended it (SQLite on SQLITE_FULL / IOERR, a dropped connection): the cause is `err` */
    });
    if (committing && xid !== undefined && isTransientStorageError(err) && (await transactionStatus(db, xid)) === 'committed') return result!;
    throw err;
  }
  return result;
}

/** Postgres's word on a transaction: committed, aborted, in progress, or null when it cannot be asked now. */
async function transactionStatus(db: Db, xid: string): Promise<string | null> {
  try {
    return (await sql<{ status: string | null }>`select txid_status(${xid}::bigint) as status`.execute(db)).rows[0]?.status ?? null;
  } catch {
    return null;
  }
}

/**
 * Statements that fail the same way every time: SQLite's constraint, type, range and SQL errors, and Postgres's
 * SQLSTATE classes 22 (data exception), 23 (integrity constraint), 42 (syntax or access rule) and 0A (feature
 * not supported).
 */
const PERMANENT = /^(SQLITE_CONSTRAINT|SQLITE_MISMATCH|SQLITE_RANGE|SQLITE_TOOBIG|SQLITE_ERROR$|(22|23|42|0A)[0-9A-Z]{3}$)/;

/**
 * Whether a failed write may succeed later unchanged, and is retried: a full disk, a read-only remount, an I/O
 * error or a lock on SQLite; on Postgres a refused or lost connection (ECONNREFUSED, ECONNRESET, "Connection
 * terminated"), a server shutting down or restarting (class 57: 57P01-57P03), a connection failure (08), too
 * many connections (53) or a serialization failure or deadlock (40). A constraint or SQL error is a bug in the
 * write itself and is not.
 */
export function isTransientStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code !== 'string' || !PERMANENT.test(code);
}

/** A storage error as one line for logs and events: its code and message. */
export function describeStorageError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Moves the WAL's content into the database file and truncates the WAL (SQLite only; other dialects manage their
 * own log). Without it the WAL stays at its high-water mark. Returns whether the checkpoint completed.
 */
export async function checkpointWal(db: Db): Promise<boolean> {
  if (dbKind(db) !== 'sqlite') return true;
  const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  return rows[0]?.busy === 0;
}
