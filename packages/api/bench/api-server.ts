/**
 * The server under benchmark as seen from the bench: a child process (server-child.ts, compiled) that reports its
 * event-loop lag and RSS per phase over IPC, and the typed clients of the users each phase runs as.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startNodeOptions } from '@clipfleet/sim';
import { EventSource } from 'eventsource';
import { createClipFleetClient, type ClipFleetClient } from '../src/index.ts';
import { argv, cfg, here, log, SIM_KEY, sleep } from './api-config.ts';
import type { ChildReport, ParentCommand, PhaseFigures } from './protocol.ts';

export interface Child {
  proc: ChildProcess;
  url: string;
  adminKey: string;
  phases: PhaseFigures[];
  overall: Promise<PhaseFigures>;
  phase(name: string): void;
  stop(): Promise<void>;
}

async function startChild(simUrl: string, dbPath: string): Promise<Child> {
  const proc = fork(resolve(here, '../dist/bench-server.js'), [], {
    execArgv: [
      ...startNodeOptions(resolve(here, '../package.json')),
      ...(argv['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(argv['cpu-prof'])}`] : []),
      ...(argv['server-node-options']?.split(' ').filter(Boolean) ?? []),
    ],
    env: { ...process.env, BENCH_SIM_URL: simUrl, BENCH_SIM_KEY: SIM_KEY, BENCH_TIME_SCALE: String(cfg.timeScale), BENCH_DB: dbPath, ...(argv['mem-log'] ? { BENCH_MEM_LOG: resolve(argv['mem-log']) } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const phases: PhaseFigures[] = [];
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let resolveOverall!: (f: PhaseFigures) => void;
  const overall = new Promise<PhaseFigures>((r) => (resolveOverall = r));
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const ready = new Promise<{ url: string; adminKey: string }>((resolveReady, reject) => {
    proc.on('message', (msg: ChildReport) => {
      if (msg.type === 'ready') resolveReady(msg);
      else if (msg.type === 'phase') phases.push(msg.figures);
      else if (msg.type === 'overall') resolveOverall(msg.figures);
      else if (msg.type === 'stopped') resolveStopped();
      else if (msg.type === 'error') reject(new Error(`server child failed: ${msg.message}`));
    });
    proc.on('exit', (code) => {
      resolveStopped();
      reject(new Error(`server child exited (${code}) before it was ready`));
    });
  });
  const { url, adminKey } = await ready;
  // Sends are skipped once the child has gone (a late stop() in `finally` must not raise EPIPE).
  proc.on('error', (err) => log(`server child: ${err.message}`));
  const command = (c: ParentCommand) => {
    if (proc.connected) proc.send(c);
  };
  return {
    proc,
    url,
    adminKey,
    phases,
    overall,
    phase: (name) => command({ cmd: 'phase', name }),
    stop() {
      stopping ??= (async () => {
        command({ cmd: 'stop' });
        await Promise.race([stopped, sleep(30_000)]);
        // Let it exit by itself (a --cpu-prof profile is written at a normal exit); force it only if it hangs.
        await Promise.race([exited, sleep(10_000)]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      })();
      return stopping;
    },
  };
}

/** A phase's user: its typed client, and its URL and API key for the worker threads that speak for it. */
export interface BenchUser {
  client: ClipFleetClient;
  url: string;
  apiKey: string;
}

export interface Served {
  child: Child;
  /** One user per phase: the engine adapts concurrency per user, so a phase that stalls must not throttle the next. */
  user(name: string): Promise<BenchUser>;
}

/** A fresh server on its own database, its enterprise plan opened up to the bench's concurrency. */
export async function serve(simUrl: string, dbDir: string, dbFile: string): Promise<Served> {
  const child = await startChild(simUrl, join(dbDir, dbFile));
  log(`server ${child.url} (pid ${child.proc.pid}), simulated KIE ${simUrl}, time scale ${cfg.timeScale}x`);
  const admin = createClipFleetClient(child.url, child.adminKey, { EventSource });
  // The shipped enterprise plan runs 10-16 jobs at once; the bench lets one user fill the provider cap
  // (admin.updatePlan is the runtime hot-reload path), so the 10k batch loads the server as a full account would.
  await admin.admin.updatePlan.mutate({ planId: 'enterprise', patch: { concurrency: cfg.concurrency, modelConcurrency: {} } });
  return {
    child,
    async user(name) {
      const { apiKey } = await admin.admin.createUser.mutate({ name, credits: 1e9, plan: 'enterprise' });
      return { client: createClipFleetClient(child.url, apiKey, { EventSource }), url: child.url, apiKey };
    },
  };
}

/** The figures of a server's last phase and of its whole run, once it has stopped (bounded wait). */
export async function stopServer(child: Child): Promise<{ phases: PhaseFigures[]; overall: PhaseFigures | undefined }> {
  await child.stop();
  const overall = await Promise.race([child.overall, sleep(5_000).then(() => undefined)]);
  return { phases: child.phases, overall };
}
