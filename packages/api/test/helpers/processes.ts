import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const API_DIR = resolve(import.meta.dirname, '../..');

import { freePort } from '../../src/db/embedded-postgres.ts';

export { freePort };

export interface Launched {
  child: ChildProcess;
  output: string[];
  url: string;
  devKey: string | undefined;
}

export interface Spawned {
  child: ChildProcess;
  output: string[];
  /** Resolves once the server listens (rejects if it exits first or takes longer than `timeoutMs`). */
  ready: Promise<Launched>;
  /** Resolves when the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** The server as `npm start` runs it, compiled once per test run (helpers/compiled-server.ts). */
export const SERVER_ARGS = ['--enable-source-maps', 'dist/main.js'];

/** Real server processes for crash tests: plain node on the compiled server (no wrapper process, so SIGKILL hits the server itself). */
// The ready budget is generous: a start takes about a second alone, but tens of seconds on a machine loaded by
// other runs (measured), and how fast a process starts is not what these tests check.
export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Spawned {
  const child = spawn(process.execPath, SERVER_ARGS, { cwd: API_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const listeners = new Set<() => void>();
  const onOutput = (chunk: Buffer) => {
    output.push(chunk.toString());
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const waitFor = (pattern: RegExp, ms = timeoutMs) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (!pattern.test(output.join(''))) return;
        cleanup();
        res();
      };
      const onExit = (code: number | null) => {
        cleanup();
        rej(new Error(`server exited with ${code} before ${pattern}:\n${output.join('')}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`no ${pattern} within ${ms} ms:\n${output.join('')}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });
  const ready = waitFor(/listening on (http:\/\/\S+)/).then(async () => {
    // give the dev-key line (printed right after) a moment to arrive
    await new Promise((r) => setTimeout(r, 100));
    const text = output.join('');
    return { child, output, url: /listening on (http:\/\/\S+)/.exec(text)![1]!, devKey: /API key \(shown once\): (\S+)/.exec(text)?.[1] };
  });
  // A caller that expects an exit (a refused start) never awaits `ready`.
  ready.catch(() => {});
  return { child, output, ready, waitFor };
}

export function launch(env: Record<string, string>): Promise<Launched> {
  return spawnServer(env).ready;
}

export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGKILL');
  });
}

/** Resolves with the exit code (and output) of a process expected to stop by itself. */
export function exited(spawned: Spawned, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const { child } = spawned;
    if (child.exitCode !== null) return res({ code: child.exitCode, output: spawned.output.join('') });
    const timer = setTimeout(() => rej(new Error(`still running after ${timeoutMs} ms:\n${spawned.output.join('')}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // stdio may still hold the last chunk
      setTimeout(() => res({ code, output: spawned.output.join('') }), 50);
    });
  });
}

/** KIE's jobs per prompt, from the simulator's own records: what KIE received. */
export function kieJobsByPrompt(sim: { core: { tasks(): Iterable<{ taskId: string; body: { prompt: string } }> } }): Map<string, string[]> {
  const jobs = new Map<string, string[]>();
  for (const job of sim.core.tasks()) {
    const prompt = job.body.prompt;
    jobs.set(prompt, [...(jobs.get(prompt) ?? []), job.taskId]);
  }
  return jobs;
}

/** The environment of a real server process on `dbPath` against the simulator at `kieUrl`, on a free port. */
export async function serverEnv(opts: { dbPath: string; kieUrl: string; kieKey: string; adminKey: string; timeScale: number }, extra: Record<string, string> = {}) {
  return {
    PORT: String(await freePort()), HOST: '127.0.0.1', CLIPFLEET_DB: opts.dbPath, TIME_SCALE: String(opts.timeScale),
    KIE_API_KEY: opts.kieKey, KIE_BASE_URL: opts.kieUrl, ADMIN_KEY: opts.adminKey, DEV_CREDITS: '100000', ...extra,
  };
}

/** Polls batch.get until the batch has finished. */
export async function untilFinished<T extends { finishedAt: number | null }>(get: () => Promise<T>): Promise<T> {
  for (;;) {
    const b = await get();
    if (b.finishedAt) return b;
    await new Promise((r) => setTimeout(r, 50));
  }
}
