import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/database.ts';
import { createClipFleetClient } from '../src/index.ts';
import { lastingTestStorage, storageEnv } from './helpers/database.ts';
import { freePort, kieJobsByPrompt, kill9, launch } from './helpers/processes.ts';

// Low enough that the restart (a few real seconds) stays well under the 5-minute 720p timeout in engine time.
const TIME_SCALE = 15;
/** Wan 2.7, 720p, 2 s: 8 credits per second (a live model: this server talks to KIE's protocol with a key). */
const PRICE = 16;
const KIE_KEY = 'crash-test-kie-key';
const ADMIN_KEY = 'crash-test-admin-key-0123456789-abcdef';

describe('crash safety: SIGKILL mid-batch, restart, resume', () => {
  let sim: KieSimServer;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: 11, timeScale: TIME_SCALE, apiKeys: [KIE_KEY] });
    dir = mkdtempSync(join(tmpdir(), 'clipfleet-crash-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes every task exactly once, never resubmits a task that had a remote id, and the ledger balances', async () => {
    const env = {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      ...storageEnv(await lastingTestStorage(dir)),
      TIME_SCALE: String(TIME_SCALE),
      KIE_API_KEY: KIE_KEY,
      KIE_BASE_URL: sim.url,
      ADMIN_KEY,
      DEV_CREDITS: '100000',
    };
    const first = await launch(env);
    children.push(first.child);
    expect(first.devKey).toBeTruthy();
    const client = createClipFleetClient(first.url, first.devKey!, { EventSource });
    const admin = createClipFleetClient(first.url, ADMIN_KEY, { EventSource });
    const me = await client.me.get.query();
    await admin.admin.setPlan.mutate({ userId: me.user.id, plan: 'enterprise' });

    const N = 30;
    const prompts = Array.from({ length: N }, (_, i) => `crash test clip number ${i}`);
    const { batchId } = await client.batch.create.mutate({ rows: prompts.map((prompt) => ({ prompt })), defaultModel: 'wan-2.7', defaultResolution: '720p', defaultDuration: 2 });

    // kill -9 while some tasks are done and others are running at KIE
    for (;;) {
      const b = await client.batch.get.query({ batchId });
      if (b.counts.succeeded >= 3 && b.counts.polling >= 3) break;
      if (b.finishedAt) throw new Error('the batch finished before the crash: slow the simulator down');
      await new Promise((r) => setTimeout(r, 20));
    }
    await kill9(first.child);

    // what the database held at the crash
    const snap = await openDatabase(env.CLIPFLEET_DB);
    const taskRows = (db: Db) => db.selectFrom('tasks').select(['id', 'prompt', 'state', 'remote_task_id']).where('batch_id', '=', batchId).execute();
    const atCrash = await taskRows(snap);
    await snap.destroy();
    const inFlight = atCrash.filter((t) => t.remote_task_id && !['succeeded', 'failed', 'cancelled', 'timedOut'].includes(t.state));
    expect(inFlight.length).toBeGreaterThan(0);

    const second = await launch(env);
    children.push(second.child);
    expect(second.output.join('')).toMatch(/resumed 1 unfinished batch/);
    expect(second.devKey).toBeUndefined(); // the dev user is created on first start only
    const client2 = createClipFleetClient(second.url, first.devKey!, { EventSource });
    let done;
    for (;;) {
      done = await client2.batch.get.query({ batchId });
      if (done.finishedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done.counts.succeeded + done.counts.failed, JSON.stringify(done.counts)).toBe(N);
    await kill9(second.child);

    // remote jobs per task, from the simulator's own records
    const jobsByPrompt = kieJobsByPrompt(sim);
    const db = await openDatabase(env.CLIPFLEET_DB);
    // an attempt recorded without a remote id is uncertain (KIE may have it): it is not sent again
    for (const t of atCrash.filter((x) => x.state === 'submitting' && !x.remote_task_id)) {
      expect((jobsByPrompt.get(t.prompt) ?? []).length).toBeLessThanOrEqual(1);
    }
    const finalTasks = await taskRows(db);
    const byId = new Map(finalTasks.map((t) => [t.id, t]));
    // a task that had a remote id at the crash was polled, never resubmitted
    for (const t of inFlight) {
      expect(jobsByPrompt.get(t.prompt), t.prompt).toEqual([t.remote_task_id]);
      expect(byId.get(t.id)!.remote_task_id).toBe(t.remote_task_id);
    }
    // every succeeded task has exactly one remote job behind it
    for (const t of finalTasks.filter((x) => x.state === 'succeeded')) expect(jobsByPrompt.get(t.prompt)).toHaveLength(1);

    // every task ended exactly once (one end event) and was settled exactly once
    const ends = (await sql<{ task_id: string; n: number }>`select task_id, count(*) n from task_events
      where batch_id = ${batchId} and type in ('task.succeeded','task.failed','task.timedOut','task.cancelled') group by task_id`.execute(db)).rows;
    expect(ends).toHaveLength(N);
    expect(ends.filter((e) => e.n !== 1)).toEqual([]);
    const settlements = (await sql<{ task_id: string; n: number }>`select task_id, count(*) n from credit_ledger
      where batch_id = ${batchId} and kind in ('charge','refund') group by task_id`.execute(db)).rows;
    expect(settlements).toHaveLength(N);
    expect(settlements.filter((s) => s.n !== 1)).toEqual([]);
    const sums = (await sql<{ kind: string; c: number; a: number }>`select kind, sum(credits) c, sum(amount) a from credit_ledger
      where user_id = ${me.user.id} group by kind`.execute(db)).rows;
    const of = (k: string) => sums.find((s) => s.kind === k) ?? { c: 0, a: 0 };
    const succeeded = finalTasks.filter((t) => t.state === 'succeeded').length;
    expect(of('reserve').c).toBe(N * PRICE); // one reservation for the whole batch
    expect(of('charge').c).toBe(succeeded * PRICE);
    expect(of('charge').c + of('refund').c).toBe(of('reserve').c);
    const balance = sums.reduce((s, x) => s + x.a, 0);
    expect(balance).toBe(100_000 - succeeded * PRICE);
    // the running balance moved with every ledger entry, crash included
    const running = await db.selectFrom('user_balances').select('balance').where('user_id', '=', me.user.id).executeTakeFirstOrThrow();
    expect(running.balance).toBe(balance);
    // event sequence numbers continued after the restart without reuse
    const seqs = (await db.selectFrom('task_events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    await db.destroy();
  }, 120_000);
});
