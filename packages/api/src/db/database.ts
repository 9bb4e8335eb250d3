import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations.ts';
import type { Database } from './types.ts';
import { acquireWriterLock, type WriterLockOptions } from './writer-lock.ts';

export type Db = Kysely<Database>;

/** A `postgres://` or `postgresql://` URL (several processes on one database); anything else is an SQLite path. */
export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The WAL is truncated to this size after a checkpoint (SQLite keeps it at its high-water mark otherwise). */
const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * Opens (creating its folder) and migrates the SQLite database. ':memory:' gives a private in-memory database.
 * A file is held by one process at a time (see writer-lock.ts): a second one is refused, or waits as a standby.
 * Throws with a one-line message when the path cannot be opened or written.
 */
export async function openDatabase(path: string, lock: WriterLockOptions = {}): Promise<Db> {
  let handle: SQLite.Database;
  try {
    if (path !== ':memory:') makeDirs(dirname(path));
    handle = new SQLite(path);
  } catch (err) {
    throw new Error(`cannot open database "${path}": ${(err as Error).message}`);
  }
  try {
    if (path !== ':memory:') await acquireWriterLock(handle, path, lock);
    handle.pragma('foreign_keys = ON');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('synchronous = NORMAL');
    handle.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  } catch (err) {
    handle.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  await migrate(db);
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query afresh; preparing is most of the cost of a small SQLite query (measured: more than
 * executing it). The fleet writer and the API repeat a few dozen SQL shapes, so prepared statements are reused
 * (bounded, oldest dropped first). better-sqlite3 is synchronous, so a statement is never used by two queries at once.
 */
function withStatementCache(handle: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = handle.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return new Proxy(handle, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * mkdir -p done one level at a time: Node's recursive mkdirSync spins forever on some pseudo file systems
 * (e.g. a path under /proc), and a bad CLIPFLEET_DB must fail fast with a clear line.
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir);
}

async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String((error as Error | undefined)?.message ?? error)}`);
  }
}
