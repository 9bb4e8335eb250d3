import { defineProject } from 'vitest/config';

/** The suite on SQLite, the embedded default (vitest.postgres.config.ts runs it again on PostgreSQL). */
export default defineProject({
  test: {
    name: 'api',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Stops a real Postgres server under a running fleet: a PostgreSQL fault, run by the api-pg pass.
    exclude: ['test/postgres-outage.test.ts'],
    globalSetup: ['test/helpers/postgres.ts'],
  },
});
