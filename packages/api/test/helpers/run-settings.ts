import { slowFirst } from './slow-first.ts';

/**
 * How both api passes run (vitest.config.ts on SQLite, vitest.postgres.config.ts on PostgreSQL).
 *
 * - maxWorkers 2: vitest's default on a 2-core machine is one worker, so every file ran after the other, yet most
 *   of these files spend their time waiting (server processes starting, the simulator's scaled clock, leases
 *   running out), not computing: two files at once keep both cores busy. More than two overloads the machine: the
 *   process tests start several servers each, and at four workers on a machine loaded by other runs their
 *   start-ups alone took over 30 s, past the helpers' ready budget.
 * - Budgets: these are integration tests over real HTTP, real processes and a clock in scaled real time; what they
 *   assert is behaviour, and their wall time grows with the machine's load (and with the files beside them), so
 *   vitest's 5 s / 10 s unit-test defaults would fail them for the machine's speed, not for what they check.
 * - The longest files start first (measured on main: cluster 89 s, cli 60-90 s, single-writer 50 s, ...).
 */
export const API_RUN = {
  maxWorkers: 2,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  sequence: {
    sequencer: slowFirst([
      'test/cluster.test.ts',
      'test/cli.test.ts',
      'test/single-writer.test.ts',
      'test/task-facts.properties.test.ts',
      'test/full-disk.test.ts',
      'test/restart-callbacks.test.ts',
      'test/crash.test.ts',
      'test/postgres-outage.test.ts',
      'test/fanout.test.ts',
    ]),
  },
};
