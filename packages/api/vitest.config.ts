import { defineConfig } from 'vitest/config';
import { API_RUN } from './test/helpers/run-settings.ts';

/** The suite on SQLite, the embedded default (vitest.postgres.config.ts runs it again on PostgreSQL). */
export default defineConfig({
  test: {
    name: 'api',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // test/postgres-*.test.ts are about PostgreSQL itself (e.g. its server stopped under a fleet): api-pg runs them.
    exclude: ['test/postgres-*.test.ts'],
    globalSetup: ['test/helpers/postgres.ts', 'test/helpers/compiled-server.ts'],
    ...API_RUN,
  },
});
