import { Kysely, Migrator } from 'kysely';
import { migrationProvider } from './migrations.ts';
import { postgresDialect } from './postgres.ts';
import { sqliteDialect } from './sqlite.ts';
import { isPostgresUrl } from './target.ts';
import type { Database } from './types.ts';
import type { WriterLockOptions } from './writer-lock.ts';

export type Db = Kysely<Database>;
export { DatabaseTargetError, isPostgresUrl } from './target.ts';

/**
 * Opens and migrates the database named by `target` (CLIPFLEET_DB): a `postgres://` / `postgresql://` URL, or a
 * SQLite file path (':memory:' for a private in-memory database). The same store and migrations run on both;
 * dialect.ts and notify.ts hold what differs. `lock` is about SQLite's single writer (writer-lock.ts).
 */
export async function openDatabase(target: string, lock: WriterLockOptions = {}): Promise<Db> {
  const dialect = isPostgresUrl(target) ? await postgresDialect(target) : await sqliteDialect(target, lock);
  const db = new Kysely<Database>({ dialect });
  await migrate(db);
  return db;
}

/** Several processes may start at once on Postgres: kysely's migrator serializes them with an advisory lock. */
async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String((error as Error | undefined)?.message ?? error)}`);
  }
}
