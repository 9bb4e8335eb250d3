import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

async function failure(p: Promise<unknown>): Promise<{ status: number | undefined; code: string | undefined; message: string }> {
  const err = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  const e = err as TRPCClientError<any>;
  return { status: e.data?.httpStatus, code: e.data?.code, message: e.message };
}

describe('auth and isolation', () => {
  let t: TestServer;
  let alice: Awaited<ReturnType<TestServer['user']>>;
  let bob: Awaited<ReturnType<TestServer['user']>>;
  let aliceBatch: string;
  let aliceTask: string;

  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 10 }));
    alice = await t.user(1000, 'alice');
    bob = await t.user(1000, 'bob');
    aliceBatch = (await alice.client.batch.create.mutate({ rows: [{ prompt: 'a' }, { prompt: 'b' }], paused: true })).batchId;
    aliceTask = (await alice.client.batch.tasks.query({ batchId: aliceBatch })).items[0]!.id;
  });
  afterAll(() => t.stop());

  it('rejects calls without a key or with a wrong key', async () => {
    expect(await failure(t.client('').me.get.query())).toMatchObject({ status: 401, message: expect.stringMatching(/missing or invalid API key/) });
    expect(await failure(t.client('cf_wrong').batch.list.query())).toMatchObject({ status: 401 });
  });

  it('answers NOT_FOUND for another user\'s batch, whatever the procedure', async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['get', () => bob.client.batch.get.query({ batchId: aliceBatch })],
      ['tasks', () => bob.client.batch.tasks.query({ batchId: aliceBatch })],
      ['failures', () => bob.client.batch.failures.query({ batchId: aliceBatch })],
      ['pause', () => bob.client.batch.pause.mutate({ batchId: aliceBatch })],
      ['resume', () => bob.client.batch.resume.mutate({ batchId: aliceBatch })],
      ['cancel', () => bob.client.batch.cancel.mutate({ batchId: aliceBatch })],
      ['retryFailed', () => bob.client.batch.retryFailed.mutate({ batchId: aliceBatch })],
      ['task.get', () => bob.client.task.get.query({ taskId: aliceTask })],
      ['task.cancel', () => bob.client.task.cancel.mutate({ taskId: aliceTask })],
    ];
    for (const [name, call] of calls) {
      const f = await failure(call());
      expect(f, name).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(f.message, name).toMatch(/not found/);
    }
    // the same answer as for an id that does not exist: existence is not leaked
    expect(await failure(bob.client.batch.get.query({ batchId: 'no-such-batch' }))).toMatchObject({ status: 404 });
    // and nothing changed for alice
    const batch = await alice.client.batch.get.query({ batchId: aliceBatch });
    expect(batch.state).toBe('paused');
    expect(batch.counts.queued).toBe(2);
  });

  it('hides another user\'s batch from lists, subscriptions and downloads', async () => {
    expect((await bob.client.batch.list.query()).items).toHaveLength(0);
    expect((await alice.client.batch.list.query()).items.map((b) => b.id)).toEqual([aliceBatch]);
    const err = await new Promise<unknown>((resolve) => {
      const sub = bob.client.batch.onProgress.subscribe({ batchId: aliceBatch }, { onError: (e) => (sub.unsubscribe(), resolve(e)), onData: () => resolve('data') });
    });
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<any>).data?.code).toBe('NOT_FOUND');
    const zip = await fetch(`${t.url}/batches/${aliceBatch}/download.zip`, { headers: { authorization: `Bearer ${bob.apiKey}` } });
    expect(zip.status).toBe(404);
    // The HTTP routes answer a domain error through the same mapping as the procedures.
    expect(await zip.json()).toEqual({ error: 'NOT_FOUND', message: `batch ${aliceBatch} not found` });
    const file = await fetch(`${t.url}/tasks/${aliceTask}/files/0`, { headers: { authorization: `Bearer ${bob.apiKey}` } });
    expect(file.status).toBe(404);
    expect(await file.json()).toEqual({ error: 'NOT_FOUND', message: `task ${aliceTask} has no file 0` });
    const anon = await fetch(`${t.url}/batches/${aliceBatch}/download.zip`);
    expect(anon.status).toBe(401);
  });

  it('keeps admin procedures behind the admin key', async () => {
    expect(await failure(alice.client.admin.grantCredits.mutate({ userId: alice.userId, credits: 5 }))).toMatchObject({ status: 401 });
    expect(await failure(alice.client.admin.stats.query())).toMatchObject({ status: 401 });
    // the admin key is not a user
    expect(await failure(t.admin.me.get.query())).toMatchObject({ status: 401 });
    const granted = await t.admin.admin.grantCredits.mutate({ userId: alice.userId, credits: 5 });
    expect(granted.balance).toBe(1000 - 2 * 20 + 5);
  });

  it('serves the public price list and plans without a key', async () => {
    const anon = t.client('');
    const catalog = await anon.catalog.models.query();
    expect(catalog.variants).toContainEqual(expect.objectContaining({ model: 'sora-2-pro', resolution: '1080p', durationSec: 15, credits: 130 }));
    const plans = await anon.plans.list.query();
    const pro = plans.find((p) => p.id === 'pro')!;
    expect(pro.classes.find((c) => c.resolution === '1080p' && c.durationSec === 15)?.concurrency).toBe(2);
  });

  it('applies a recorded payment as the plan (latest active payment wins)', async () => {
    expect((await bob.client.me.get.query()).plan.id).toBe('free');
    await t.admin.admin.setPlan.mutate({ userId: bob.userId, plan: 'pro' });
    await t.admin.admin.setPlan.mutate({ userId: bob.userId, plan: 'pro_plus' });
    const me = await bob.client.me.get.query();
    expect(me.plan.id).toBe('pro_plus');
    expect(me.limits).toMatchObject({ concurrency: 5, batchSize: 25 });
  });
});
