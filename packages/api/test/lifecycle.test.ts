import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { balanceOf } from '../src/store/ledger.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

const row = (prompt: string, extra: Record<string, unknown> = {}) => ({ prompt, ...extra });

describe('batch lifecycle over HTTP with the typed client', () => {
  let t: TestServer;
  const kie = new FakeKie({ jobMs: 30, fail: (req) => req.task.rowIndex % 5 === 4 });

  beforeAll(async () => {
    t = await startTestServer(kie, { scale: 200 });
  });
  afterAll(async () => {
    // every user's running balance equals its ledger's own sum
    const db = t.server.deps!.db;
    const sums = await db
      .selectFrom('credit_ledger')
      .select(['user_id', (eb) => eb.fn.sum<number>('amount').as('sum')])
      .groupBy('user_id')
      .execute();
    for (const { id } of await db.selectFrom('users').select('id').execute()) {
      expect(await balanceOf(db, id), id).toBe(Number(sums.find((s) => s.user_id === id)?.sum ?? 0));
    }
    await t.stop();
  });

  async function finished(client: TestServer['admin'], batchId: string) {
    return waitFor(async () => {
      const b = await client.batch.get.query({ batchId });
      return b.finishedAt !== null ? b : undefined;
    }, `batch ${batchId} to finish`);
  }

  it('estimates, creates, runs to the end, charges successes and refunds final failures', async () => {
    const { client } = await t.user(1000);
    const input = { rows: Array.from({ length: 10 }, (_, i) => row(`clip ${i}`)), defaultModel: 'sora-2', defaultResolution: '720p', defaultDuration: 10 };
    const estimate = await client.batch.estimate.query(input);
    expect(estimate.totalCredits).toBe(150);
    expect(estimate.rows).toHaveLength(10);
    expect(estimate.estimatedSeconds).toBeGreaterThan(0);
    expect(estimate.enoughCredits).toBe(true);

    const created = await client.batch.create.mutate(input);
    expect(created).toMatchObject({ taskCount: 10, creditsReserved: 150 });
    expect((await client.me.get.query()).balance).toBe(850);

    const done = await finished(client, created.batchId);
    expect(done.state).toBe('finished');
    // rows 4 and 9 fail with a content-policy refusal (not retryable)
    expect(done.counts.succeeded).toBe(8);
    expect(done.counts.failed).toBe(2);
    expect(done.credits).toEqual({ reserved: 150, charged: 120, refunded: 30 });
    expect((await client.me.get.query()).balance).toBe(1000 - 120);

    const failures = await client.batch.failures.query({ batchId: created.batchId });
    expect(failures.total).toBe(2);
    expect(failures.groups[0]).toMatchObject({ cause: 'content policy', count: 2 });

    const failedOnly = await client.batch.tasks.query({ batchId: created.batchId, state: 'failed' });
    expect(failedOnly.items.map((x) => x.rowIndex)).toEqual([4, 9]);
    const ok = await client.batch.tasks.query({ batchId: created.batchId, state: 'succeeded', limit: 100 });
    expect(ok.items.every((x) => x.resultUrls.length === 1 && x.remoteTaskId)).toBe(true);
  });

  it('pages batch.list and batch.tasks with cursors', async () => {
    const { client } = await t.user(10_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await client.batch.create.mutate({ name: `b${i}`, rows: [row('x')], paused: true })).batchId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof client.batch.list.query>> = await client.batch.list.query({ limit: 2, cursor });
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const big = await client.batch.create.mutate({ rows: Array.from({ length: 25 }, (_, i) => row(`p${i}`)), paused: true });
    const rows: number[] = [];
    let c: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof client.batch.tasks.query>> = await client.batch.tasks.query({ batchId: big.batchId, limit: 10, cursor: c });
      rows.push(...page.items.map((x) => x.rowIndex));
      c = page.nextCursor;
    } while (c);
    expect(rows).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('pauses, resumes, and a cancel refunds what never ran', async () => {
    const { client } = await t.user(10_000);
    const created = await client.batch.create.mutate({ rows: Array.from({ length: 12 }, (_, i) => row(`p${i}`)), defaultDuration: 15, paused: true });
    const before = await client.batch.get.query({ batchId: created.batchId });
    expect(before.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 200));
    const tasks = await client.batch.tasks.query({ batchId: created.batchId });
    expect(tasks.items.every((x) => x.state === 'queued' && x.attempts === 0)).toBe(true);
    // nothing of a paused batch reaches KIE
    expect(tasks.items.some((x) => kie.creates.has(x.id))).toBe(false);

    await client.batch.resume.mutate({ batchId: created.batchId });
    await waitFor(async () => (await client.batch.get.query({ batchId: created.batchId })).counts.succeeded >= 1, 'a success');
    await client.batch.pause.mutate({ batchId: created.batchId });
    expect((await client.batch.get.query({ batchId: created.batchId })).state).toBe('paused');

    await client.batch.cancel.mutate({ batchId: created.batchId });
    const done = await finished(client, created.batchId);
    expect(done.state).toBe('cancelled');
    expect(done.counts.cancelled).toBeGreaterThan(0);
    const { credits } = done;
    expect(credits.charged + credits.refunded).toBe(credits.reserved);
    const me = await client.me.get.query();
    expect(me.balance).toBe(10_000 - credits.charged);
  });

  it('task.cancel cancels one queued task and refunds it', async () => {
    const { client } = await t.user(1000);
    const created = await client.batch.create.mutate({ rows: [row('a'), row('b'), row('c')], paused: true });
    const tasks = await client.batch.tasks.query({ batchId: created.batchId });
    const victim = tasks.items[1]!;
    await client.task.cancel.mutate({ taskId: victim.id });
    await waitFor(async () => (await client.batch.get.query({ batchId: created.batchId })).counts.cancelled === 1, 'the cancel');
    await client.batch.resume.mutate({ batchId: created.batchId });
    const done = await finished(client, created.batchId);
    expect(done.counts.succeeded).toBe(2);
    expect(done.credits.refunded).toBe(victim.credits);
  });

  it('retryFailed re-queues failed tasks under a new reservation', async () => {
    const flaky = new FakeKie({ jobMs: 20, fail: (req) => (flakyFailures.get(req.task.taskId) ?? 0) < 1 && !!flakyFailures.set(req.task.taskId, 1) });
    const flakyFailures = new Map<string, number>();
    const s = await startTestServer(flaky, { scale: 200 });
    try {
      const { client } = await s.user(1000);
      const created = await client.batch.create.mutate({ rows: [row('a'), row('b')], defaultDuration: 10 });
      const first = await finished(client, created.batchId);
      expect(first.counts.failed).toBe(2);
      expect((await client.me.get.query()).balance).toBe(1000);
      const retry = await client.batch.retryFailed.mutate({ batchId: created.batchId });
      expect(retry.retried).toBe(2);
      const second = await waitFor(async () => {
        const b = await client.batch.get.query({ batchId: created.batchId });
        return b.finishedAt !== null && b.counts.succeeded === 2 ? b : undefined;
      }, 'the retried tasks');
      expect(second.credits).toEqual({ reserved: 60, charged: 30, refunded: 30 });
      expect((await client.me.get.query()).balance).toBe(970);
    } finally {
      await s.stop();
    }
  });

  it('refuses a batch the balance cannot cover, stating required and available, and writes nothing', async () => {
    const { client } = await t.user(20);
    const err = await client.batch.create.mutate({ rows: [row('a'), row('b')], defaultDuration: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<any>).data?.httpStatus).toBe(402);
    expect((err as Error).message).toBe('not enough credits: required 30, available 20');
    expect((await client.batch.list.query()).items).toHaveLength(0);
    expect((await client.me.get.query()).balance).toBe(20);
  });
});
