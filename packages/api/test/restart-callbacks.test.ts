import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { createClipFleetClient } from '../src/index.ts';
import { lastingTestStorage, storageEnv } from './helpers/database.ts';
import { freePort, kill9, launch } from './helpers/processes.ts';

/**
 * Issue 11, point 5: with PUBLIC_URL set, kill -9 the server while a job is generating. The job's callback is
 * sent while the server is down and lost. After the restart the resumed task must poll on the normal schedule
 * (it has not been heard from since), not on the slow callback backstop: on a plan of concurrency 1 the whole
 * queue waits behind it.
 */
const TIME_SCALE = 15;
const KIE_KEY = 'restart-callbacks-kie-key';
const WEBHOOK_KEY = 'restart-callbacks-webhook-key';
const ADMIN_KEY = 'restart-callbacks-admin-key-0123456789';

describe('restart with callbacks: kill -9 with PUBLIC_URL', () => {
  let sim: KieSimServer;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startKieSimServer({ port: 0, host: '127.0.0.1', seed: 5, timeScale: TIME_SCALE, apiKeys: [KIE_KEY], webhookKey: WEBHOOK_KEY });
    dir = mkdtempSync(join(tmpdir(), 'clipfleet-restart-cb-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const simNow = async () => ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { simNowMs: number }).simNowMs;

  it('polls the resumed task at once, so the queue goes on; every row created once and charged once', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...storageEnv(await lastingTestStorage(dir)),
      TIME_SCALE: String(TIME_SCALE),
      KIE_API_KEY: KIE_KEY,
      KIE_BASE_URL: sim.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KIE_WEBHOOK_KEY: WEBHOOK_KEY,
      ADMIN_KEY,
      DEV_CREDITS: '10000',
    };
    const first = await launch(env);
    children.push(first.child);
    const client = createClipFleetClient(first.url, first.devKey!, { EventSource });
    const N = 5; // the free plan: concurrency 1, batches of up to 5
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: N }, (_, i) => ({ prompt: `restart clip ${i}` })), defaultModel: 'wan-2.7', defaultResolution: '720p', defaultDuration: 2 });

    // kill -9 once a task has finished (by its callback) and the next is generating at KIE
    let inFlight: { id: string; remoteTaskId: string } | undefined;
    for (;;) {
      const b = await client.batch.get.query({ batchId });
      if (b.finishedAt) throw new Error('the batch finished before the crash: slow the simulator down');
      if (b.counts.succeeded >= 1 && b.counts.polling === 1) {
        const items = (await client.batch.tasks.query({ batchId })).items;
        const t = items.find((x) => x.state === 'polling' && x.remoteTaskId);
        if (t) {
          inFlight = { id: t.id, remoteTaskId: t.remoteTaskId! };
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sim.stats().callbackDeliveries.delivered).toBeGreaterThanOrEqual(1);
    // Counted before the kill: a delivery refused while the process is dying is already a lost callback.
    const lostBefore = sim.stats().callbackDeliveries.failed;
    await kill9(first.child);

    // the job ends while the server is down: its callback is lost
    const job = sim.core.task(inFlight.remoteTaskId)!;
    // (and every delivery attempted by then has settled: on a loaded machine a refused POST takes a while to fail)
    const settled = () => {
      const d = sim.stats().callbackDeliveries;
      return d.attempted === d.delivered + d.failed;
    };
    while ((await simNow()) < job.completeAt + 3_000 || !settled()) await new Promise((r) => setTimeout(r, 50));
    expect(sim.stats().callbackDeliveries.failed).toBeGreaterThan(lostBefore);

    const second = await launch(env);
    children.push(second.child);
    const restartedAt = await simNow();
    const client2 = createClipFleetClient(second.url, first.devKey!, { EventSource });
    let noticedAt = 0;
    for (;;) {
      const t = (await client2.batch.tasks.query({ batchId })).items.find((x) => x.id === inFlight!.id)!;
      if (t.state === 'succeeded') {
        noticedAt = await simNow();
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // Normal polling notices a finished job within seconds (engine time); the backstop would take minutes.
    expect(noticedAt - restartedAt).toBeLessThan(30_000);

    let done;
    for (;;) {
      done = await client2.batch.get.query({ batchId });
      if (done.finishedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done.counts.succeeded).toBe(N);
    expect(done.credits).toEqual({ reserved: N * 16, charged: N * 16, refunded: 0 });
    await kill9(second.child);

    // KIE created every row once; the database charged each task once
    const prompts = [...sim.core.tasks()].map((x) => x.body.prompt).filter((p) => p.startsWith('restart clip'));
    expect(prompts.sort()).toEqual(Array.from({ length: N }, (_, i) => `restart clip ${i}`));
    const db = await openDatabase(env.CLIPFLEET_DB);
    const charges = (await sql<{ n: number }>`select task_id, count(*) n from credit_ledger where batch_id = ${batchId} and kind = 'charge' group by task_id`.execute(db)).rows;
    await db.destroy();
    expect(charges.map((c) => c.n)).toEqual(Array(N).fill(1));
  }, 120_000);
});
