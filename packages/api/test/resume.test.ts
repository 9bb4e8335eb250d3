import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScaledClock } from '../src/index.ts';
import { lastingTestStorage } from './helpers/database.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, waitFor } from './helpers/server.ts';

describe('restart on the same database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-resume-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes unfinished batches by itself: tasks with a remote id are polled, not resubmitted', async () => {
    const storage = await lastingTestStorage(dir, 'resume.db');
    const kie = new FakeKie({ jobMs: 250 }); // outlives the server: KIE keeps the jobs across our restart
    const adminKey = 'resume-test-admin-key-0000000000000000';
    const first = await startTestServer(kie, { scale: 20, extra: { ...storage, adminKey } });
    const { apiKey, userId } = await first.user(10_000);
    await first.admin.admin.setPlan.mutate({ userId, plan: 'pro_plus' });
    const { batchId } = await first.client(apiKey).batch.create.mutate({ rows: Array.from({ length: 12 }, (_, i) => ({ prompt: `r${i}` })), defaultDuration: 10 });
    const polling = await waitFor(async () => {
      const items = (await first.client(apiKey).batch.tasks.query({ batchId, state: 'polling' })).items;
      return items.length >= 2 ? items : undefined;
    }, 'tasks at KIE');
    await first.stop();

    const second = await startTestServer(kie, { scale: 20, extra: { ...storage, adminKey } });
    try {
      expect(second.server.deps!.fleet.resumed).toEqual([batchId]);
      const client = second.client(apiKey);
      const done = await waitFor(async () => {
        const b = await client.batch.get.query({ batchId });
        return b.finishedAt ? b : undefined;
      }, 'the resumed batch');
      expect(done.counts.succeeded).toBe(12);
      for (const t of polling) expect(kie.creates.get(t.id)).toBe(1);
      const after = (await client.batch.tasks.query({ batchId })).items;
      for (const t of polling) expect(after.find((x) => x.id === t.id)?.remoteTaskId).toBe(t.remoteTaskId);
      expect(done.credits).toEqual({ reserved: 180, charged: 180, refunded: 0 });
    } finally {
      await second.stop();
    }
  });

  it('closes a batch whose tasks had all ended before batch.finished was written', async () => {
    const storage = await lastingTestStorage(dir, 'ended.db');
    const adminKey = 'resume-test-admin-key-0000000000000000';
    const first = await startTestServer(new FakeKie({ jobMs: 10 }), { scale: 50, extra: { ...storage, adminKey } });
    const { apiKey } = await first.user(1000);
    const { batchId } = await first.client(apiKey).batch.create.mutate({ rows: [{ prompt: 'x' }], defaultDuration: 10 });
    await waitFor(async () => (await first.client(apiKey).batch.get.query({ batchId })).finishedAt !== null, 'the batch');
    // as if the process died between the last task's end and batch.finished
    await first.server.deps!.db.updateTable('batches').set({ state: 'active', finished_at: null }).where('id', '=', batchId).execute();
    await first.stop();

    const second = await startTestServer(new FakeKie({ jobMs: 10 }), { scale: 50, extra: { ...storage, adminKey } });
    try {
      const b = await second.client(apiKey).batch.get.query({ batchId });
      expect(b.state).toBe('finished');
      expect(b.finishedAt).not.toBeNull();
    } finally {
      await second.stop();
    }
  });

  it('gives tasks whose timeout passed during the downtime one last look instead of timing them out blind', async () => {
    const storage = await lastingTestStorage(dir, 'overdue.db');
    const adminKey = 'resume-test-admin-key-0000000000000000';
    const kie = new FakeKie({ jobMs: 200 });
    const first = await startTestServer(kie, { scale: 20, extra: { ...storage, adminKey } });
    const { apiKey } = await first.user(1000);
    const { batchId } = await first.client(apiKey).batch.create.mutate({ rows: [{ prompt: 'slow one' }], defaultDuration: 10 });
    await waitFor(async () => (await first.client(apiKey).batch.tasks.query({ batchId, state: 'polling' })).items[0], 'the task at KIE');
    await first.stop();
    await new Promise((r) => setTimeout(r, 300)); // KIE finishes the job while we are down

    // back up "20 minutes later" on the engine clock: past the 5-minute 720p attempt timeout
    const base = createScaledClock(20);
    const later = { ...base, now: () => base.now() + 20 * 60_000 };
    const second = await startTestServer(kie, { clock: later, extra: { ...storage, adminKey } });
    try {
      const done = await waitFor(async () => {
        const b = await second.client(apiKey).batch.get.query({ batchId });
        return b.finishedAt ? b : undefined;
      }, 'the batch');
      expect(done.counts).toMatchObject({ succeeded: 1, timedOut: 0 });
      expect(done.credits).toEqual({ reserved: 15, charged: 15, refunded: 0 });
    } finally {
      await second.stop();
    }
  });
});

