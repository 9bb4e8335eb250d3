import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { EventSource } from 'eventsource';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient } from '../src/index.ts';
import { exited, kieJobsByPrompt, kill9, serverEnv, spawnServer, untilFinished, type Spawned } from './helpers/processes.ts';

const TIME_SCALE = 15;
const KIE_KEY = 'full-disk-kie-key';
const ADMIN_KEY = 'full-disk-admin-key-0123456789-xx';

/** A real small file system of our own: a tmpfs mounted by the test (needs root and mount rights). */
function tryMount(dir: string, sizeKb: number): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
  }
}

const probeDir = mkdtempSync(join(tmpdir(), 'clipfleet-mount-probe-'));
const cannotMount = process.getuid?.() !== 0 ? 'not root: cannot mount a small file system' : tryMount(probeDir, 64);
if (!cannotMount) execFileSync('umount', [probeDir]);
rmSync(probeDir, { recursive: true, force: true });
if (cannotMount) console.warn(`full-disk tests skipped: ${cannotMount}`);

/** Fills the file system with one file until it is full. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(url: string): Promise<number> {
  return (await fetch(`${url}/health`)).status;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(cannotMount)('a real nearly full disk under the database', () => {
  let sim: KieSimServer;
  let dir: string;
  const spawned: Spawned[] = [];

  beforeAll(async () => {
    sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: 7, timeScale: TIME_SCALE, apiKeys: [KIE_KEY] });
    dir = mkdtempSync(join(tmpdir(), 'clipfleet-disk-'));
    const failed = tryMount(dir, 8 * 1024);
    if (failed) throw new Error(failed);
  });
  afterAll(async () => {
    for (const s of spawned) await kill9(s.child);
    await sim?.close();
    try {
      execFileSync('umount', [dir]);
    } catch {
      /* not mounted */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits nothing while the disk is full, loses no remote id, resumes when space comes back; an unwritable database refuses to start', async () => {
    const dbPath = join(dir, 'clipfleet.db');
    const env = () => serverEnv({ dbPath, kieUrl: sim.url, kieKey: KIE_KEY, adminKey: ADMIN_KEY, timeScale: TIME_SCALE });
    const server = spawnServer(await env());
    spawned.push(server);
    const { url, devKey } = await server.ready;
    const client = createClipFleetClient(url, devKey!, { EventSource });
    const admin = createClipFleetClient(url, ADMIN_KEY, { EventSource });
    const me = await client.me.get.query();
    await admin.admin.setPlan.mutate({ userId: me.user.id, plan: 'pro' });
    const N = 18;
    const { batchId } = await client.batch.create.mutate({
      rows: Array.from({ length: N }, (_, i) => ({ prompt: `full disk clip ${i}` })),
      defaultModel: 'wan-2.7', defaultResolution: '720p', defaultDuration: 2,
    });
    await until(async () => (await client.batch.get.query({ batchId })).counts.polling >= 2, 'tasks at KIE');

    const filler = join(dir, 'filler');
    fill(filler);
    await until(async () => (await health(url)) === 503, '/health to report the unwritable store');
    // While full: nothing new is sent to KIE (what was sent before is still watched).
    await sleep(500);
    const jobsWhileFull = [...sim.core.tasks()].length;
    await sleep(2000);
    expect([...sim.core.tasks()].length).toBe(jobsWhileFull);
    expect(await health(url)).toBe(503);

    rmSync(filler);
    await until(async () => (await health(url)) === 200, 'the store to be writable again');
    const done = await untilFinished(() => client.batch.get.query({ batchId }));
    expect(done.counts.succeeded, JSON.stringify(done.counts)).toBe(N);
    const log = server.output.join('');
    expect(log).toMatch(/storage cannot be written \(SQLITE_FULL/);
    expect(log).toMatch(/storage writable again/);
    expect(log).not.toMatch(/cannot rollback/);

    // Stop cleanly, then make the file system read-only: start-up refuses with one line.
    server.child.kill('SIGTERM');
    await exited(server);
    const db = new SQLite(dbPath, { readonly: true });
    const tasks = db.prepare('select prompt, state, remote_task_id from tasks where batch_id = ?').all(batchId) as Array<{ prompt: string; state: string; remote_task_id: string }>;
    const settled = db.prepare(`select count(distinct task_id) d, count(*) n, sum(kind = 'charge') c from credit_ledger where batch_id = ? and kind in ('charge','refund')`).get(batchId);
    db.close();
    // What KIE received and what the database holds: one job per row, each one's id stored, each charged once.
    const jobsByPrompt = kieJobsByPrompt(sim);
    for (const t of tasks) expect(jobsByPrompt.get(t.prompt), t.prompt).toEqual([t.remote_task_id]);
    expect(settled).toEqual({ d: N, n: N, c: N });

    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const refused = spawnServer(await env());
    spawned.push(refused);
    const result = await exited(refused);
    expect(result.code).toBe(1);
    const lines = result.output.trim().split('\n');
    expect(lines, result.output).toHaveLength(1);
    expect(lines[0]).toMatch(/^clipfleet: cannot start: CLIPFLEET_DB: database ".*clipfleet\.db" cannot be written/);
  }, 180_000);
});
