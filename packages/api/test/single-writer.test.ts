import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { EventSource } from 'eventsource';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient } from '../src/index.ts';
import { exited, kieJobsByPrompt, kill9, serverEnv, spawnServer, untilFinished, type Spawned } from './helpers/processes.ts';

const TIME_SCALE = 15;
const KIE_KEY = 'single-writer-kie-key';
const ADMIN_KEY = 'single-writer-admin-key-0123456789';

describe('one writer per SQLite file: two real server processes on one database', () => {
  let sim: KieSimServer;
  let dir: string;
  const spawned: Spawned[] = [];

  beforeAll(async () => {
    sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: 5, timeScale: TIME_SCALE, apiKeys: [KIE_KEY] });
    dir = mkdtempSync(join(tmpdir(), 'clipfleet-writer-'));
  });
  afterAll(async () => {
    for (const s of spawned) await kill9(s.child);
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second process refuses with one line naming the holder; a standby takes over only when the holder is gone; no row is created twice', async () => {
    const dbPath = join(dir, 'clipfleet.db');
    const env = (extra: Record<string, string> = {}) => serverEnv({ dbPath, kieUrl: sim.url, kieKey: KIE_KEY, adminKey: ADMIN_KEY, timeScale: TIME_SCALE }, extra);
    const holder = spawnServer(await env());
    spawned.push(holder);
    const first = await holder.ready;
    const client = createClipFleetClient(first.url, first.devKey!, { EventSource });
    const admin = createClipFleetClient(first.url, ADMIN_KEY, { EventSource });
    const me = await client.me.get.query();
    // Pro runs 3 at a time: the batch is still running when the holder is killed.
    await admin.admin.setPlan.mutate({ userId: me.user.id, plan: 'pro' });
    const N = 24;
    const { batchId } = await client.batch.create.mutate({
      rows: Array.from({ length: N }, (_, i) => ({ prompt: `single writer clip ${i}` })),
      defaultModel: 'wan-2.7', defaultResolution: '720p', defaultDuration: 2,
      // Paused until the other processes are up (their start-up time varies a lot on a loaded machine).
      paused: true,
    });

    // A second `npm start` on the same file: refused, with one line naming the holder.
    const second = spawnServer(await env());
    spawned.push(second);
    const refused = await exited(second);
    expect(refused.code).toBe(1);
    const lines = refused.output.trim().split('\n');
    expect(lines, refused.output).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^clipfleet: cannot start: database ".*clipfleet\\.db" is in use by pid ${holder.child.pid} on `));

    // A standby waits while the holder runs...
    const standby = spawnServer(await env({ CLIPFLEET_STANDBY: '1' }));
    spawned.push(standby);
    await standby.waitFor(new RegExp(`standby: database .* is held by pid ${holder.child.pid}`));
    await new Promise((r) => setTimeout(r, 1000));
    expect(standby.output.join('')).not.toMatch(/listening on/);
    await client.batch.resume.mutate({ batchId });
    for (;;) {
      const b = await client.batch.get.query({ batchId });
      if (b.counts.polling >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    // ...and takes over once the holder is gone (kill -9: the kernel drops its lock).
    await kill9(holder.child);
    const takeover = await standby.ready;
    expect(takeover.output.join('')).toMatch(/resumed 1 unfinished batch/);
    const client2 = createClipFleetClient(takeover.url, first.devKey!, { EventSource });
    const done = await untilFinished(() => client2.batch.get.query({ batchId }));
    expect(done.counts.succeeded + done.counts.failed, JSON.stringify(done.counts)).toBe(N);
    expect(done.state).toBe('finished');
    await kill9(standby.child);

    // What KIE received: no row created twice.
    const jobsByPrompt = kieJobsByPrompt(sim);
    const db = new SQLite(dbPath, { readonly: true });
    const tasks = db.prepare('select prompt, state, remote_task_id from tasks where batch_id = ?').all(batchId) as Array<{ prompt: string; state: string; remote_task_id: string | null }>;
    for (const t of tasks) {
      expect(jobsByPrompt.get(t.prompt)?.length ?? 0, t.prompt).toBeLessThanOrEqual(1);
      if (t.state === 'succeeded') expect(jobsByPrompt.get(t.prompt)).toEqual([t.remote_task_id]);
    }
    // What the database holds: one end and one settlement per task, no sequence number twice.
    const ends = db.prepare(`select count(*) n from task_events where batch_id = ? and type in ('task.succeeded','task.failed','task.timedOut','task.cancelled')`).get(batchId) as { n: number };
    expect(ends.n).toBe(N);
    const settled = db.prepare(`select count(distinct task_id) d, count(*) n from credit_ledger where batch_id = ? and kind in ('charge','refund')`).get(batchId) as { d: number; n: number };
    expect(settled).toEqual({ d: N, n: N });
    const seqs = db.prepare('select count(*) n, count(distinct seq) d from task_events').get() as { n: number; d: number };
    expect(seqs.d).toBe(seqs.n);
    db.close();
  }, 150_000);
});
