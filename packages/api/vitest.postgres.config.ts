import { defineConfig } from 'vitest/config';
import { API_RUN } from './test/helpers/run-settings.ts';

/**
 * The api suite again, on PostgreSQL: every test's default database is a fresh database on one real server
 * started for the run (test/helpers/postgres.ts, helpers/database.ts). Left out, each for its reason:
 */
const SQLITE_ONLY_OR_NO_DATABASE = [
  'src/**/*.test.ts', // unit tests of pure modules and the KIE client: no database
  'test/units.test.ts', // pure functions and configuration: no database
  'test/startup.test.ts', // refusals before any database is used; its Postgres URLs are the same in both passes
  'test/dialects.test.ts', // runs each case on both dialects itself
  'test/fanout.test.ts', // LISTEN/NOTIFY across processes: on Postgres in both passes
  'test/cluster.test.ts', // a whole cluster on its own Postgres database: in both passes
  'test/single-writer.test.ts', // SQLite's one-writer file lock (Postgres takes several processes by design)
  'test/full-disk.test.ts', // a SQLite file on a full file system (and its WAL)
  'test/wal.test.ts', // SQLite's write-ahead log (Postgres manages its own)
  // The command-line client over HTTP: the server routes it calls run on Postgres in lifecycle, sse and edges;
  // it is the slowest file by far (measured 111 s of this pass's 525 s), which the CI budget cannot carry twice.
  'test/cli.test.ts',
];

export default defineConfig({
  test: {
    name: 'api-pg',
    include: ['test/**/*.test.ts'],
    exclude: SQLITE_ONLY_OR_NO_DATABASE,
    env: { CLIPFLEET_TEST_DB: 'postgres' },
    globalSetup: ['test/helpers/postgres.ts', 'test/helpers/compiled-server.ts'],
    ...API_RUN,
  },
});
