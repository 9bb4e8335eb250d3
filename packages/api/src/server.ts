import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG, type FleetConfig } from '@clipfleet/engine';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { isPostgresUrl, openDatabase, type Db } from './db/database.ts';
import { releaseWriterLock } from './db/writer-lock.ts';
import { openBatchFeed, type BatchFeed } from './batches/feed.ts';
import type { AppDeps } from './deps.ts';
import { ProviderResumeWatch } from './cluster/broadcast.ts';
import { DEFAULT_LEASE_MS, LeaseOwner, SingleOwner } from './cluster/ownership.ts';
import { EventBus } from './fleet/bus.ts';
import { startFleet, type Fleet } from './fleet/fleet.ts';
import { clusterPort, localPort, type FleetPort } from './fleet/port.ts';
import { connectKie, kieAccounts, noKieConnection, type KieConnection, type KieMode } from './fleet/kie.ts';
import { accountCaps } from './kie/accounts.ts';
import { Authenticator, DEFAULT_FAILED_AUTH_LIMIT, type FailedAuthLimit } from './http/auth.ts';
import { registerCallbackRoute } from './http/callback.ts';
import { loggerOptions, requestId, type LogSettings } from './logging/logger.ts';
import { logFleetEvents } from './logging/task-log.ts';
import { Metrics } from './metrics/index.ts';
import { registerMetricsRoute } from './metrics/route.ts';
import { registerErrorReplies } from './http/error-reply.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { connectTurn } from './batches/progress.ts';
import { registerSseSubscriptions } from './trpc/sseSubscriptions.ts';
import { installChunkTextEncoderStream } from './trpc/textEncoderStream.ts';
import { registerWebClient } from './http/static.ts';
import { registerResultFileRoute } from './http/result-files.ts';
import { registerZipRoute } from './http/zip.ts';
import { DEFAULT_ARCHIVE_OPTIONS, ResultArchive } from './results/archive.ts';
import { LocalDiskStorage } from './results/local-disk.ts';
import { registerBatchGenerateRoute } from './rest/batch-generate.ts';
import { RuntimeConfig } from './runtime-config.ts';
import { ensureDevUser } from './dev-user.ts';
import { contextFactory } from './trpc/context.ts';
import { appRouter, PROGRESS_SUBSCRIPTIONS, type AppRouter } from './trpc/root.ts';

export type { KieMode } from './fleet/kie.ts';

/** What this process runs: `all` (API and worker: the embedded mode, and `npm start`), `api` or `worker`. */
export type ProcessRole = 'all' | 'api' | 'worker';
export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;

export interface ServerOptions {
  /**
   * SQLite file (created and migrated on first start), ':memory:' for a private throwaway database, or a
   * `postgres://` URL (migrated on first start).
   */
  dbPath: string;
  /** When another process holds the database: wait for it to stop and take over, instead of refusing to start. */
  standby?: boolean;
  /** 0 picks a free port. Default 3000. */
  port?: number;
  host?: string;
  kie: KieMode;
  /** Built web client to serve at `/` (served only if the folder has an index.html). */
  webDist?: string;
  /** Admin procedures' bearer token; a random one is generated (and returned) when not given. */
  adminKey?: string;
  /** This server's public address: each KIE account's callbacks go to `${publicUrl}/kie/callback/<account>`. */
  publicUrl?: string;
  /** KIE_WEBHOOK_KEY: callbacks must carry a valid signature. */
  webhookKey?: string;
  /** Credits of the dev user created on first start (empty database). 0 or less: no dev user. Default 10,000. */
  devCredits?: number;
  /** Fleet configuration to start from (default: the shipped one; admin edits stored in the database win). */
  config?: FleetConfig;
  /** Request body limit in bytes: big enough for 10,000 rows, bounded. Default 32 MiB. */
  bodyLimit?: number;
  /** Structured JSON logs (pino through fastify): `true` for info level on stdout. Default off. */
  logger?: LogSettings;
  /** How often the monitoring page's history is sampled (wall ms). Default 10 s. */
  metricsIntervalMs?: number;
  /** Archived result files: folder (default `results/` beside the database), size limit, retention (0: forever). */
  results?: { dir?: string; maxBytes?: number; retentionMs?: number };
  /** Failed authentication attempts allowed per client address and window (then 429). Default 20 a minute. */
  failedAuthLimit?: FailedAuthLimit;
  /** What this process runs (default `all`). `api` and `worker` need a Postgres database: see README "Running a cluster". */
  role?: ProcessRole;
  /** Lease of a worker on its users (Postgres): a dead worker's users are taken over within it. Default 10 s. */
  leaseMs?: number;
}

export interface ClipFleetServer {
  app: FastifyInstance;
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  /** The dev user's key, set by start() when it created the dev user (first start only). */
  readonly devApiKey: string | undefined;
  readonly adminKey: string;
  readonly role: ProcessRole;
  /** Set by start(): the database, fleet and configuration behind the routes (tests and benchmarks read them). */
  readonly deps: AppDeps | undefined;
}

const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
/** Archived results of a Postgres-backed server when no folder is configured (beside the default SQLite file). */
const DEFAULT_RESULTS_DIR = './data/results';
/** Admin keys guard every account: at least 32 characters (a generated one has 32 random base64url ones). */
export const MIN_ADMIN_KEY_LENGTH = 32;

function kieOrigins(kie: KieMode, simUrl: string | undefined): string[] {
  if (kie.mode === 'real') return [new URL(kie.baseUrl ?? 'https://api.kie.ai').origin];
  return simUrl ? [new URL(simUrl).origin] : [];
}

/**
 * The ClipFleet API server: fastify with tRPC at /trpc, the seed's REST route, KIE callbacks, ZIP downloads and
 * the web client. Nothing is opened until start(); stop() closes everything start() opened, in reverse order.
 */
export function createServer(opts: ServerOptions): ClipFleetServer {
  if (opts.adminKey !== undefined && opts.adminKey.length < MIN_ADMIN_KEY_LENGTH) {
    throw new Error(`adminKey: must be at least ${MIN_ADMIN_KEY_LENGTH} characters (it guards every account)`);
  }
  // Before any stream response is made: tRPC encodes each SSE message with the global TextEncoderStream.
  installChunkTextEncoderStream();
  const adminKey = opts.adminKey ?? randomBytes(24).toString('base64url');
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    logger: loggerOptions(opts.logger, [adminKey, ...(opts.kie.mode === 'real' ? kieAccounts(opts.kie).flatMap((a) => [a.apiKey, a.webhookKey]) : []), opts.webhookKey]),
    genReqId: requestId,
    bodyLimit,
    routerOptions: { maxParamLength: 5000 },
    // SSE streams are long-lived: stop() must not wait for subscribers to leave.
    forceCloseConnections: true,
  });
  let devApiKey: string | undefined;
  let deps: AppDeps | undefined;
  let db: Db | undefined;
  let lockedPath: string | undefined;
  let kie: KieConnection | undefined;
  let fleet: Fleet | undefined;
  let feed: BatchFeed | undefined;
  let metrics: Metrics | undefined;
  let stopLogging: (() => void) | undefined;
  let archive: ResultArchive | undefined;
  let scratchDir: string | undefined;
  let starting: Promise<{ url: string }> | undefined;
  let stopping: Promise<void> | undefined;

  const role = opts.role ?? 'all';
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;

  async function start(): Promise<{ url: string }> {
    const clustered = isPostgresUrl(opts.dbPath);
    if (role !== 'all' && !clustered) {
      throw new Error(`CLIPFLEET_ROLE=${role} needs a Postgres CLIPFLEET_DB (postgres://...): an SQLite file is run by one process, role all`);
    }
    db = await openDatabase(opts.dbPath, {
      standby: opts.standby ?? false,
      onWaiting: (holder) =>
        console.log(`standby: database "${opts.dbPath}" is held by ${holder ? `pid ${holder.pid} on ${holder.host}` : 'another process'}; taking over when it stops`),
    });
    const database = db;
    lockedPath = opts.dbPath === ':memory:' || clustered ? undefined : opts.dbPath;
    let loaded: RuntimeConfig | undefined;
    // The gateway reads the catalog per request, after the configuration below is loaded. An API-only process
    // calls no KIE: it only needs to know whether KIE calls back.
    const connection =
      role === 'api'
        ? noKieConnection(opts)
        : await connectKie(opts.kie, { publicUrl: opts.publicUrl, webhookKey: opts.webhookKey, catalog: () => loaded!.get().catalog });
    kie = connection;
    // Whether KIE calls back (PUBLIC_URL) and which accounts there are (KIE_ACCOUNTS) are facts of this start,
    // applied over the stored configuration.
    const accounts = connection.accounts;
    const config = await RuntimeConfig.load(database, opts.config ?? DEFAULT_CONFIG, (c) => ({
      ...c,
      provider: { ...c.provider, callbacks: connection.callbacks, ...(accounts ? { accounts: accountCaps(accounts) } : {}) },
    }));
    loaded = config;
    metrics = new Metrics({ db: database, config: () => config.get() }, opts.metricsIntervalMs ? { historyIntervalMs: opts.metricsIntervalMs } : {});
    if (role !== 'api') {
      const gateway = metrics.gateway(connection.gateway, connection.clock);
      const ownership = clustered ? new LeaseOwner(database, { ttlMs: leaseMs }) : new SingleOwner();
      // Settings other processes change (an admin edit through an API process, a provider resume) reach a worker
      // with its heartbeat.
      const resumeWatch = new ProviderResumeWatch(database, () => fleet?.supervisor.resumeProvider());
      await resumeWatch.start();
      fleet = await startFleet({
        db: database,
        gateway,
        clock: connection.clock,
        config: config.get(),
        ownership,
        ...(clustered ? { onHeartbeat: async () => (await config.refresh(), await resumeWatch.check()) } : {}),
      });
      stopLogging = logFleetEvents(fleet.bus, app.log);
      const running = fleet;
      config.onChange((next) => running.supervisor.updateConfig(next));
    }
    const port: FleetPort = clustered ? clusterPort({ db: database, fleet, bus: fleet?.bus ?? new EventBus(), leaseMs }) : localPort(fleet!);
    metrics.attach(port);
    devApiKey = role === 'worker' ? undefined : await ensureDevUser(database, opts.devCredits ?? 10_000);
    const auth = new Authenticator({ db: database, adminKey }, opts.failedAuthLimit ?? DEFAULT_FAILED_AUTH_LIMIT);
    // A throwaway database gets a throwaway archive.
    const resultsDir =
      opts.results?.dir ??
      (opts.dbPath === ':memory:' ? (scratchDir = await mkdtemp(join(tmpdir(), 'clipfleet-results-'))) : clustered ? DEFAULT_RESULTS_DIR : join(dirname(opts.dbPath), 'results'));
    archive = new ResultArchive(database, new LocalDiskStorage(resultsDir), {
      ...DEFAULT_ARCHIVE_OPTIONS,
      ...(opts.results?.maxBytes !== undefined ? { maxBytes: opts.results.maxBytes } : {}),
      ...(opts.results?.retentionMs !== undefined ? { retentionMs: opts.results.retentionMs } : {}),
      // KIE's own host as configured (the simulator's loopback URL in simulated mode) is fetched as it is.
      fetch: { trustedOrigins: kieOrigins(opts.kie, connection.sim?.url), timeoutMs: 120_000, maxRedirects: 5 },
    });
    // Results are archived where the events are first seen: by the worker that ran the task.
    if (fleet) await archive.start(fleet.bus);
    feed = await openBatchFeed(database, fleet?.bus);
    const kieAccountMap = new Map<string, { webhookKey?: string }>(
      accounts ? accounts.map((a) => [a.id, a.webhookKey ? { webhookKey: a.webhookKey } : {}]) : config.get().provider.accounts.map((a) => [a.id, {}]),
    );
    const appDeps: AppDeps = {
      db: database, port, fleet, feed, config, adminKey, auth, archive, webhookKey: opts.webhookKey, kieAccounts: kieAccountMap, sim: connection.sim, metrics, realProvider: opts.kie.mode === 'real',
    };
    deps = appDeps;

    if (role !== 'worker') await registerApi(appDeps);
    registerMetricsRoute(app, metrics, adminKey);
    // Not ok (503) while the database cannot be written: the fleet then admits nothing and retries its writes.
    app.get('/health', async (_req, reply) => {
      const storage = await port.storage();
      if (!storage.writable) reply.code(503);
      return { ok: storage.writable, role, storage };
    });

    await app.listen({ port: opts.port ?? 3000, host: opts.host ?? '127.0.0.1' });
    const address = app.server.address();
    const port_ = typeof address === 'object' && address ? address.port : opts.port;
    const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
    return { url: `http://${host}:${port_}` };
  }

  /** What an API process serves: tRPC, the REST route, KIE callbacks, downloads and the web client. */
  async function registerApi(deps: AppDeps): Promise<void> {
    app.addHook('onSend', async (req, reply) => {
      reply.header('x-request-id', req.id);
    });

    await registerSecurityHeaders(app);
    await deps.auth.register(app);
    registerErrorReplies(app, bodyLimit);

    const trpcOptions = {
      router: appRouter,
      // Big queries (batch.estimate of 10,000 rows) are sent as POST: they do not fit in a URL.
      allowMethodOverride: true,
      createContext: contextFactory(deps),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error, path }, `tRPC ${path ?? '?'} failed`);
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];
    // The progress streams (many subscribers, thousands of events each) are written by our SSE responder.
    await registerSseSubscriptions(app, { prefix: '/trpc', paths: PROGRESS_SUBSCRIPTIONS, trpcOptions, admit: connectTurn });
    await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions });
    registerBatchGenerateRoute(app, deps);
    registerCallbackRoute(app, deps);
    registerZipRoute(app, deps);
    registerResultFileRoute(app, deps);
    await registerWebClient(app, opts.webDist);
  }

  async function stop(): Promise<void> {
    await app.close();
    await feed?.close();
    stopLogging?.();
    metrics?.detach();
    await fleet?.stop();
    await archive?.stop();
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
    await kie?.close();
    await db?.destroy();
    if (lockedPath) releaseWriterLock(lockedPath);
  }

  return {
    app,
    start: () => (starting ??= start().catch(async (err) => {
      await stop().catch(() => {});
      throw err;
    })),
    stop: () => (stopping ??= stop()),
    get devApiKey() {
      return devApiKey;
    },
    adminKey,
    role,
    get deps() {
      return deps;
    },
  };
}
