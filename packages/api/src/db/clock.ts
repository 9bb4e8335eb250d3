import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../store/executor.ts';
import { dbKind } from './dialect.ts';

/**
 * The database's own clock, epoch ms, as an SQL expression. Leases, heartbeats and liveness are written and
 * judged by it: the processes on one database may run on hosts whose clocks disagree by minutes, and a lease
 * stamped by one host's clock and judged by another's makes a live worker look dead (two owners) or a dead one
 * alive (its users wait). Postgres: the statement's start (after the locks its transaction waited for); SQLite:
 * the host's clock, read by SQLite (one host by design).
 */
export function dbNow(db: Executor): RawBuilder<number> {
  return dbKind(db) === 'postgres'
    ? sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}

/** `dbNow(db) + ms` (ms may be negative: a time that long ago). */
export function dbNowPlus(db: Executor, ms: number): RawBuilder<number> {
  return sql<number>`(${dbNow(db)} + ${ms})`;
}
