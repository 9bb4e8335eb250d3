import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { createDatabase, freePort, startEmbeddedPostgres, type EmbeddedPostgresServer } from '../db/embedded-postgres.ts';

const API_DIR = resolve(import.meta.dirname, '../..');

export interface LocalClusterOptions {
  workers: number;
  apis: number;
  /** KIE accounts on the simulator (each its own key and create window). Ignored with `kie`. */
  accounts?: number;
  /** A Postgres URL; default an embedded server of its own, thrown away at stop. */
  dbUrl?: string;
  /**
   * Instead of a cluster: one `all` process on this SQLite file (the embedded mode, as `npm start` runs it), for
   * comparisons; `workers` and `apis` are then ignored.
   */
  sqlitePath?: string;
  /** A KIE (or KIE-compatible simulator) to use instead of starting the simulator's HTTP face here. */
  kie?: { baseUrl: string; apiKey: string };
  /** Real time sped up this much (the simulator and every process's engine clock). Default 20. */
  timeScale?: number;
  seed?: number;
  leaseMs?: number;
  /** The API processes listen from this port up (default: free ports). */
  basePort?: number;
  /** More environment for every process (configuration, log level). */
  env?: Record<string, string>;
  /** Told each line a process prints. */
  onOutput?: (name: string, line: string) => void;
}

export interface ClusterProcess {
  name: string;
  role: 'all' | 'api' | 'worker';
  child: ChildProcess;
  url: string;
  output: string[];
}

export interface LocalCluster {
  dbUrl: string;
  adminKey: string;
  devApiKey: string | undefined;
  sim: KieSimServer | undefined;
  /** The KIE account keys the processes use (the simulator's accounts). */
  accountKeys: string[];
  apis: ClusterProcess[];
  workers: ClusterProcess[];
  /** Starts one more worker (e.g. to replace a killed one). */
  addWorker(): Promise<ClusterProcess>;
  stop(): Promise<void>;
}

/**
 * A local cluster on one Postgres: N worker processes and M API processes (`node --import tsx src/main.ts` with
 * CLIPFLEET_ROLE), KIE's simulator over HTTP with its accounts, callbacks to the first API process. The first API
 * process starts alone (it migrates the database and creates the dev user), the others then together.
 */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const timeScale = opts.timeScale ?? 20;
  let pg: EmbeddedPostgresServer | undefined;
  let sim: KieSimServer | undefined;
  const started: ClusterProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => stopProcess(p.child)));
    await sim?.close();
    await pg?.stop();
  };
  try {
    let dbUrl = opts.sqlitePath ?? opts.dbUrl;
    if (!dbUrl) {
      pg = await startEmbeddedPostgres({ ephemeral: true });
      dbUrl = await createDatabase(pg.url(), 'clipfleet');
    }
    const accountKeys = opts.kie ? [opts.kie.apiKey] : Array.from({ length: opts.accounts ?? 1 }, (_, i) => `sim_account_${i + 1}_${randomBytes(8).toString('hex')}`);
    const webhookKey = randomBytes(24).toString('base64url');
    if (!opts.kie) sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: opts.seed ?? 1, timeScale, apiKeys: accountKeys, webhookKey });
    const kieUrl = opts.kie?.baseUrl ?? sim!.url;
    const adminKey = randomBytes(24).toString('base64url');
    const apiPorts = await Promise.all(Array.from({ length: opts.apis }, (_, i) => (opts.basePort ? Promise.resolve(opts.basePort + i) : freePort())));
    const accounts = accountKeys.map((_, i) => ({ id: `kie${i + 1}`, keyEnv: `KIE_KEY_${i + 1}` }));
    const common: Record<string, string> = {
      CLIPFLEET_DB: dbUrl,
      HOST: '127.0.0.1',
      TIME_SCALE: String(timeScale),
      KIE_BASE_URL: kieUrl,
      // One key is the account `default`; several are listed in KIE_ACCOUNTS, each key in its own variable.
      ...(accountKeys.length > 1
        ? { KIE_ACCOUNTS: JSON.stringify(accounts), ...Object.fromEntries(accountKeys.map((key, i) => [`KIE_KEY_${i + 1}`, key])) }
        : { KIE_API_KEY: accountKeys[0]! }),
      ...(sim ? { KIE_WEBHOOK_KEY: webhookKey } : {}),
      PUBLIC_URL: `http://127.0.0.1:${apiPorts[0]}`,
      ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      ...(opts.leaseMs ? { CLIPFLEET_LEASE_MS: String(opts.leaseMs) } : {}),
      ...opts.env,
    };
    let workerCount = 0;
    const launch = async (role: ClusterProcess['role'], name: string, port: number) => {
      const p = await spawnProcess(name, role, { ...common, CLIPFLEET_ROLE: role, PORT: String(port) }, opts.onOutput);
      started.push(p);
      return p;
    };
    const addWorker = async () => launch('worker', `worker-${++workerCount}`, await freePort());
    const first = await launch(opts.sqlitePath ? 'all' : 'api', opts.sqlitePath ? 'single' : 'api-1', apiPorts[0]!);
    const devApiKey = /API key \(shown once\): (\S+)/.exec(first.output.join(''))?.[1];
    const rest = opts.sqlitePath ? [] : await Promise.all(apiPorts.slice(1).map((port, i) => launch('api', `api-${i + 2}`, port)));
    // One at a time: several processes compiling at once on a loaded machine can pass the 60 s start-up limit.
    const workers: ClusterProcess[] = [];
    for (let i = 0; i < (opts.sqlitePath ? 0 : opts.workers); i++) workers.push(await addWorker());
    return { dbUrl, adminKey, devApiKey, sim, accountKeys, apis: [first, ...rest], workers, addWorker, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** Spawns one process and resolves once it listens (with its URL); rejects if it exits first or takes 60 s. */
function spawnProcess(name: string, role: ClusterProcess['role'], env: Record<string, string>, onOutput?: (name: string, line: string) => void): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: API_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  return new Promise((res, rej) => {
    const timer = setTimeout(() => fail(new Error(`${name}: not listening within 60 s:\n${output.join('')}`)), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rej(err);
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      for (const line of text.split('\n')) if (line) onOutput?.(name, line);
      const url = /listening on (http:\/\/\S+)/.exec(output.join(''))?.[1];
      if (url) {
        clearTimeout(timer);
        // The dev key is printed right after the listening line.
        setTimeout(() => res({ name, role, child, url, output }), 100);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => fail(new Error(`${name} exited (${signal ?? code}) before listening:\n${output.join('')}`)));
  });
}

/** SIGTERM (a clean stop: leases given back), SIGKILL after 15 s. */
function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}
