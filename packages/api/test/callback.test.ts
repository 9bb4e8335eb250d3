import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signKieWebhook } from '../src/kie/index.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

const WEBHOOK_KEY = 'test-webhook-key';

describe('POST /kie/callback', () => {
  let t: TestServer;
  // jobs never finish by polling within the test: only a callback can end them
  const kie = new FakeKie({ jobMs: 3_600_000 });

  beforeAll(async () => {
    t = await startTestServer(kie, { scale: 1, extra: { webhookKey: WEBHOOK_KEY } });
  });
  afterAll(() => t.stop());

  function post(body: unknown, headers: Record<string, string>) {
    return fetch(`${t.url}/kie/callback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  function signed(remoteTaskId: string, at = Date.now()) {
    const ts = String(Math.floor(at / 1000));
    return { 'x-webhook-timestamp': ts, 'x-webhook-signature': signKieWebhook(remoteTaskId, ts, WEBHOOK_KEY) };
  }

  it('rejects forged and stale calls, applies a signed one, and is idempotent', async () => {
    const { client } = await t.user(1000);
    const { batchId } = await client.batch.create.mutate({ rows: [{ prompt: 'callback me' }], defaultDuration: 10 });
    const task = await waitFor(async () => (await client.batch.tasks.query({ batchId })).items.find((x) => x.remoteTaskId), 'a remote id');
    const remote = task.remoteTaskId!;
    const body = {
      code: 200,
      msg: 'success',
      data: { taskId: remote, state: 'success', resultJson: JSON.stringify({ resultUrls: ['https://example.invalid/v.mp4'] }), createTime: Date.now() - 1000, completeTime: Date.now() },
    };

    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { ...signed(remote), 'x-webhook-signature': signKieWebhook(remote, '1', 'wrong-key') })).status).toBe(401);
    expect((await post(body, signed(remote, Date.now() - 60 * 60_000))).status).toBe(401);
    expect((await post({ nonsense: true }, signed(remote))).status).toBe(400);
    expect((await client.batch.get.query({ batchId })).counts.polling).toBe(1);

    const ok = await post(body, signed(remote));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, known: true });
    const done = await waitFor(async () => {
      const b = await client.batch.get.query({ batchId });
      return b.finishedAt ? b : undefined;
    }, 'the callback to finish the task');
    expect(done.counts.succeeded).toBe(1);

    // a duplicate delivery changes nothing (charged once)
    expect((await post(body, signed(remote))).status).toBe(200);
    const again = await client.batch.get.query({ batchId });
    expect(again.credits).toEqual({ reserved: 15, charged: 15, refunded: 0 });
    expect((await client.me.get.query()).balance).toBe(985);

    // an id this deployment never created is acknowledged and ignored
    const unknown = await post({ ...body, data: { ...body.data, taskId: 'task_unknown' } }, signed('task_unknown'));
    expect(await unknown.json()).toMatchObject({ ok: true, known: false });
  });
});
