import { PostgresAdapter, SqliteAdapter, type SelectQueryBuilder } from 'kysely';
import type { Executor } from '../store/executor.ts';

/** The two databases ClipFleet runs on: embedded SQLite (one process) and PostgreSQL (several). */
export type DbKind = 'sqlite' | 'postgres';

/** Which database `db` (a Kysely, a plugin view of it or a transaction: they share the adapter) talks to. */
export function dbKind(db: Executor): DbKind {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported database adapter ${adapter.constructor.name}`);
}

export interface RowLock {
  /** Skip rows another transaction holds instead of waiting for them (claiming work). */
  skipLocked?: boolean;
}

/**
 * `FOR UPDATE [SKIP LOCKED]` on Postgres, for `query.$call(lockRows(trx))`. SQLite has no row locks and rejects
 * the clause (kysely compiles it anyway); there a write transaction already excludes every other writer (one
 * connection per file, see writer-lock.ts), so the plain select is the same guarantee.
 */
export function lockRows(db: Executor, lock: RowLock = {}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select query, whatever its tables
  return <QB extends SelectQueryBuilder<any, any, any>>(qb: QB): QB => {
    if (dbKind(db) !== 'postgres') return qb;
    const locked = qb.forUpdate();
    return (lock.skipLocked ? locked.skipLocked() : locked) as QB;
  };
}
