import { PostgresAdapter, PostgresDialect, PostgresDriver, type Dialect } from 'kysely';
import pg from 'pg';
import { PgChannels, type WithChannels } from './notify.ts';
import { DatabaseTargetError, redactUrl } from './target.ts';

/** Pool size per process: the fleet writer, the API's reads and the shared-limit transactions share it. */
const POOL_SIZE = 10;
/** An unreachable server fails start-up (and a write) after this long instead of hanging. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * int8 (bigint: epoch milliseconds, counters, sums) and numeric (what SUM over bigint returns) as numbers, as
 * SQLite gives them: pg's default is a string ("1764600000000"). Every value ClipFleet stores is an integer far
 * below 2^53. Per pool, not pg's global parsers: another pg user in the process keeps its own.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A pooled connection to the PostgreSQL database at `url`, proven by one connection before it is returned (a bad
 * URL, an unreachable server or a refused login fail here, with one line).
 */
export async function postgresDialect(url: string): Promise<Dialect> {
  try {
    new URL(url);
  } catch (err) {
    throw new DatabaseTargetError(`malformed PostgreSQL URL "${redactUrl(url)}": ${(err as Error).message}`);
  }
  const config: pg.PoolConfig = { connectionString: url, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  const pool = new pg.Pool({ ...config, max: POOL_SIZE });
  // A connection that dies (server restart or shutdown, terminated backend) must not crash the process: pg
  // emits its error on the pool when it is idle and on the client itself when it is checked out (between two
  // statements of a transaction), and an unheard error event throws. The statement in flight fails anyway (a
  // transient storage error, see store/durable.ts) and the pool replaces the connection on demand.
  const ignore = () => {};
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  try {
    (await pool.connect()).release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseTargetError(`cannot connect to PostgreSQL at "${redactUrl(url)}": ${describe(err)}`);
  }
  return new ChannelPostgresDialect(pool, new PgChannels(config));
}

function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: { message: string }[] };
  // A host with several addresses fails with an AggregateError whose own message is empty.
  const message = e.message || e.errors?.map((x) => x.message).join('; ') || String(err);
  return (e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message).split('\n')[0]!;
}

class ChannelPostgresAdapter extends PostgresAdapter implements WithChannels {
  constructor(readonly channels: PgChannels) {
    super();
  }
}

class ChannelPostgresDialect extends PostgresDialect {
  constructor(
    private readonly pgPool: pg.Pool,
    private readonly channels: PgChannels,
  ) {
    super({ pool: pgPool });
  }
  override createAdapter() {
    return new ChannelPostgresAdapter(this.channels);
  }
  override createDriver() {
    const channels = this.channels;
    return new (class extends PostgresDriver {
      override async destroy() {
        await channels.close();
        await super.destroy();
      }
    })({ pool: this.pgPool });
  }
}
