import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

describe('admin: plans at runtime and the live inspector feed', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 400 }), { scale: 50 });
  });
  afterAll(() => t.stop());

  it('updates plan limits without a restart (validated whole, applied to me.get and the engine)', async () => {
    const { client, userId } = await t.user(100);
    await t.admin.admin.setPlan.mutate({ userId, plan: 'pro' });
    // Asked before the edit, so a plan view kept from then would show up below.
    expect((await client.me.get.query()).plan.concurrency).not.toBe(4);
    const updated = await t.admin.admin.updatePlan.mutate({ planId: 'pro', patch: { concurrency: 4, batchSize: 20 } });
    expect(updated).toMatchObject({ id: 'pro', concurrency: 4, batchSize: 20 });
    expect((await client.me.get.query()).limits).toMatchObject({ concurrency: 4, batchSize: 20 });
    expect((await client.plans.list.query()).find((p) => p.id === 'pro')?.concurrency).toBe(4);
    expect((await client.me.get.query()).plan.concurrency).toBe(4);

    const bad = await t.admin.admin.updatePlan.mutate({ planId: 'pro', patch: { concurrency: -1 } }).catch((e: unknown) => e);
    expect((bad as TRPCClientError<any>).data?.httpStatus).toBe(400);
    const unknown = await t.admin.admin.updatePlan.mutate({ planId: 'gold', patch: { concurrency: 2 } }).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/unknown plan "gold"/);
    expect((await client.me.get.query()).limits.concurrency).toBe(4);
  });

  it('streams actor snapshots of a running batch', async () => {
    const { client } = await t.user(1000);
    const { batchId } = await client.batch.create.mutate({ rows: [{ prompt: 'a' }, { prompt: 'b' }] });
    const got: unknown[] = [];
    const sub = client.inspector.onSnapshot.subscribe({ batchId }, { onData: (m) => got.push(m) });
    try {
      await waitFor(async () => got.some((m) => (m as { kind: string }).kind === 'task'), 'a task snapshot', 10_000);
      expect(got[0]).toEqual({ kind: 'supervisor', value: 'healthy' });
      expect(got.find((m) => (m as { kind: string }).kind === 'task')).toMatchObject({ kind: 'task', taskId: expect.any(String), state: expect.any(String) });
    } finally {
      sub.unsubscribe();
    }
  });
});
