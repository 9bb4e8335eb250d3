import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { createDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The maintenance database of this run's PostgreSQL server. */
    postgresUrl: string;
  }
}

/**
 * vitest globalSetup: one real PostgreSQL server for the whole run (initdb about 2 s), thrown away at the end.
 * Each test takes its own database from it with freshDatabase().
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres({ ephemeral: true });
  project.provide('postgresUrl', server.url());
  return () => server.stop();
}

/** A new, empty database on the run's server (migrated by whoever opens it first); returns its URL. */
export function freshDatabase(): Promise<string> {
  return createDatabase(inject('postgresUrl'), `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`);
}
