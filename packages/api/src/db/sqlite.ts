import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type DatabaseConnection, type Dialect, type Driver, type TransactionSettings } from 'kysely';
import { LocalChannels, type WithChannels } from './notify.ts';
import { DatabaseTargetError } from './target.ts';
import { acquireWriterLock, type WriterLockOptions } from './writer-lock.ts';

/** The WAL is truncated to this size after a checkpoint (SQLite keeps it at its high-water mark otherwise). */
const WAL_SIZE_LIMIT = 16 * 1024 * 1024;
/**
 * SQLite's page cache, KiB (a negative cache_size). better-sqlite3 builds SQLite with 16 MB, all of it resident once
 * the file outgrows it (a 10,000-row batch's tasks and events: 30+ MB). The pages written and read again are few
 * (the admitted tasks' rows, the right edge of the event log and the ledger, the per-batch count indexes); the
 * rest are appended once and only read back by a replay, from the OS's file cache.
 */
const PAGE_CACHE_KIB = 4096;

/**
 * The SQLite file (its folder created), held by this process alone (see writer-lock.ts: a second one is refused,
 * or waits as a standby). ':memory:' gives a private in-memory database. Throws with a one-line message when the
 * path cannot be opened or written.
 */
export async function sqliteDialect(path: string, lock: WriterLockOptions): Promise<Dialect> {
  let handle: SQLite.Database;
  try {
    if (path !== ':memory:') makeDirs(dirname(path));
    handle = new SQLite(path);
  } catch (err) {
    throw new DatabaseTargetError(`cannot open database "${path}": ${(err as Error).message}`);
  }
  try {
    if (path !== ':memory:') await acquireWriterLock(handle, path, lock);
    handle.pragma('foreign_keys = ON');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('synchronous = NORMAL');
    handle.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    handle.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  } catch (err) {
    handle.close();
    throw err;
  }
  return new ChannelSqliteDialect(withStatementCache(handle));
}

class ChannelSqliteAdapter extends SqliteAdapter implements WithChannels {
  constructor(readonly channels: LocalChannels) {
    super();
  }
}

/** SQLite with in-process notification channels, told by the driver when a transaction commits or rolls back. */
class ChannelSqliteDialect extends SqliteDialect {
  private readonly channels = new LocalChannels();
  constructor(handle: SQLite.Database) {
    super({ database: handle });
  }
  override createAdapter() {
    return new ChannelSqliteAdapter(this.channels);
  }
  override createDriver(): Driver {
    return new TransactionReportingDriver(super.createDriver(), this.channels);
  }
}

class TransactionReportingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly channels: LocalChannels,
  ) {}
  init() {
    return this.inner.init();
  }
  acquireConnection() {
    return this.inner.acquireConnection();
  }
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings) {
    await this.inner.beginTransaction(conn, settings);
    this.channels.begun();
  }
  async commitTransaction(conn: DatabaseConnection) {
    await this.inner.commitTransaction(conn);
    this.channels.committed();
  }
  async rollbackTransaction(conn: DatabaseConnection) {
    this.channels.rolledBack();
    await this.inner.rollbackTransaction(conn);
  }
  savepoint: Driver['savepoint'] = (...args) => this.inner.savepoint!(...args);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (...args) => this.inner.rollbackToSavepoint!(...args);
  releaseSavepoint: Driver['releaseSavepoint'] = (...args) => this.inner.releaseSavepoint!(...args);
  releaseConnection(conn: DatabaseConnection) {
    return this.inner.releaseConnection(conn);
  }
  async destroy() {
    await this.channels.close();
    await this.inner.destroy();
  }
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
