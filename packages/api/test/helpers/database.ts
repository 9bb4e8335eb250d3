import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from './postgres.ts';

/**
 * The suite runs twice: on SQLite (the `api` project) and on PostgreSQL (`api-pg`, CLIPFLEET_TEST_DB=postgres),
 * where the default database of every test is a fresh database on the run's real server.
 */
export const ON_POSTGRES = process.env.CLIPFLEET_TEST_DB === 'postgres';

/** A server's storage options: its database and, where it has no SQLite file to sit beside, a results folder. */
export interface TestStorage {
  dbPath: string;
  results?: { dir: string };
}

/** A test's private database: in-memory SQLite, or a fresh Postgres database (with a scratch results folder). */
export async function testStorage(): Promise<TestStorage> {
  if (!ON_POSTGRES) return { dbPath: ':memory:' };
  return { dbPath: await freshDatabase(), results: { dir: await mkdtemp(join(tmpdir(), 'clipfleet-results-')) } };
}

/** Storage that outlives one server (restarts, crashes): the SQLite file `name` in `dir`, or a fresh Postgres database. */
export async function lastingTestStorage(dir: string, name = 'clipfleet.db'): Promise<TestStorage> {
  if (!ON_POSTGRES) return { dbPath: join(dir, name) };
  return { dbPath: await freshDatabase(), results: { dir: join(dir, 'results') } };
}

/** Storage options as a server process's environment. */
export function storageEnv(storage: TestStorage): { CLIPFLEET_DB: string; RESULTS_DIR?: string } {
  return { CLIPFLEET_DB: storage.dbPath, ...(storage.results ? { RESULTS_DIR: storage.results.dir } : {}) };
}
