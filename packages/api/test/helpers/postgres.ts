import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { createDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The maintenance database of this run's PostgreSQL server. */
    postgresUrl: string;
  }
}

/** A database migrated once at set-up, copied for every test that wants a migrated one. */
const MIGRATED_TEMPLATE = 'clipfleet_migrated';

/**
 * vitest globalSetup: one real PostgreSQL server for the whole run (initdb about 2 s), thrown away at the end,
 * with a migrated template database. Each test takes its own database from it with freshDatabase().
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres({ ephemeral: true });
  const template = await openDatabase(await server.createDatabase(MIGRATED_TEMPLATE));
  await template.destroy();
  project.provide('postgresUrl', server.url());
  return () => server.stop();
}

const uniqueName = () => `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/**
 * A new database on the run's server, with every migration applied (a copy of the template: migrating each
 * test's database again took most of a Postgres test's set-up); returns its URL.
 */
export function freshDatabase(): Promise<string> {
  return createDatabase(inject('postgresUrl'), uniqueName(), MIGRATED_TEMPLATE);
}

/** A new, empty database on the run's server (for tests of the migrations themselves); returns its URL. */
export function emptyDatabase(): Promise<string> {
  return createDatabase(inject('postgresUrl'), uniqueName());
}
