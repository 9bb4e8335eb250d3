import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations.ts';
import type { Database } from './types.ts';

export type Db = Kysely<Database>;

/**
 * Opens (creating its folder) and migrates the SQLite database. ':memory:' gives a private in-memory database.
 * Throws with a one-line message when the path cannot be opened.
 */
export async function openDatabase(path: string): Promise<Db> {
  let handle: SQLite.Database;
  try {
    if (path !== ':memory:') makeDirs(dirname(path));
    handle = new SQLite(path);
    handle.pragma('journal_mode = WAL');
    handle.pragma('foreign_keys = ON');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new Error(`cannot open database "${path}": ${(err as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  await migrate(db);
  return db;
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
