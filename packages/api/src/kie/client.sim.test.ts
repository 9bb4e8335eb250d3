import type { KieGateway, TaskSpec } from '@clipfleet/engine';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKieHttpGateway } from './client.ts';
import { parseKieCallback } from './parse.ts';
import { KIE_WEBHOOK_HEADERS, verifyKieWebhook } from './webhook.ts';

/**
 * The real KIE client against the simulator's HTTP face (@clipfleet/sim startKieSimServer): real sockets,
 * KIE's wire protocol, errors as body codes. Faults are forced through the simulator's test admin route.
 */

const API_KEY = 'sk-client-test';
const WEBHOOK_KEY = 'whsec-client-test';

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  taskId: 'row-1',
  batchId: 'b1',
  userId: 'u1',
  rowIndex: 0,
  model: 'sora-2',
  resolution: '720p',
  durationSec: 10,
  prompt: 'a paper boat drifting down a rainy street',
  ...over,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until a terminal state; bounded so a broken client fails the test instead of hanging it. */
async function pollToEnd(gw: KieGateway, remoteTaskId: string, maxPolls = 400) {
  const seen: string[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const r = await gw.getTask(remoteTaskId);
    if (r.ok) {
      if (seen.at(-1) !== r.status.state) seen.push(r.status.state);
      if (r.status.state === 'success' || r.status.state === 'fail') return { result: r, seen };
    } else if (r.error.code !== 422) {
      return { result: r, seen };
    } else if (seen.at(-1) !== 'null') {
      seen.push('null');
    }
    await sleep(10);
  }
  throw new Error(`task ${remoteTaskId} did not finish in ${maxPolls} polls (saw ${seen.join(' -> ')})`);
}

describe('KIE client over HTTP against the simulator', () => {
  let sim: KieSimServer;
  let gw: KieGateway;

  /** Forces the simulator's next answer(s) for create or query, over its admin route. */
  async function force(op: 'create' | 'query', code: number, msg?: string, server: KieSimServer = sim): Promise<void> {
    const res = await fetch(`${server.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op, code, ...(msg ? { msg } : {}) }),
    });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    // 1000x: a 75 s sora-2 job takes ~75 ms of real time.
    sim = await startKieSimServer({ port: 0, seed: 7, timeScale: 1000, apiKeys: [API_KEY], latency: 'seed', faults: 'none' });
    gw = createKieHttpGateway({ baseUrl: sim.url, apiKey: API_KEY, requestTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('create -> poll through the KIE states to success with result URLs', async () => {
    const created = await gw.createTask({ task: spec(), attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.remoteTaskId).toMatch(/^task_sora-2-text-to-video_/);
    const { result, seen } = await pollToEnd(gw, created.remoteTaskId);
    expect(result).toMatchObject({ ok: true, status: { state: 'success', progress: 100 } });
    if (!result.ok) return;
    expect(result.status.resultUrls).toEqual([`${sim.url}/files/${created.remoteTaskId}.mp4`]);
    expect(result.status.completeTime!).toBeGreaterThan(result.status.createTime!);
    expect(seen.at(-1)).toBe('success');
    // The result URL really serves the (placeholder) video.
    const file = await fetch(result.status.resultUrls![0]!);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
  });

  it('sends what kie-api.md asks for: the simulator records the exact body (Pro 1080p image-to-video)', async () => {
    const created = await gw.createTask({
      task: spec({ model: 'sora-2-pro', resolution: '1080p', durationSec: 15, aspectRatio: 'portrait', imageUrls: ['https://img.example/cat.png'] }),
      attempt: 1,
      accountId: 'default',
    });
    if (!created.ok) throw new Error(created.error.message);
    expect(sim.core.task(created.remoteTaskId)?.body.raw).toEqual({
      model: 'sora-2-pro-image-to-video',
      input: {
        prompt: 'a paper boat drifting down a rainy street',
        aspect_ratio: 'portrait',
        n_frames: '15',
        size: 'high',
        image_urls: ['https://img.example/cat.png'],
      },
    });
    // Pro image-to-video defaults to `standard`: sending size is what makes this a 1080p job.
    expect(sim.core.task(created.remoteTaskId)?.job).toEqual({ model: 'sora-2-pro', resolution: '1080p', durationSec: 15 });
  });

  it('uses resolvePrompt when the task carries no prompt', async () => {
    const lazy = createKieHttpGateway({
      baseUrl: sim.url,
      apiKey: API_KEY,
      resolvePrompt: async (taskId) => ({ prompt: `stored prompt for ${taskId}`, aspectRatio: 'portrait' }),
    });
    const created = await lazy.createTask({ task: spec({ taskId: 'row-42', prompt: undefined }), attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error(created.error.message);
    expect(sim.core.task(created.remoteTaskId)?.body.raw.input).toMatchObject({ prompt: 'stored prompt for row-42', aspect_ratio: 'portrait' });
  });

  describe('every error code of kie-api.md, forced on createTask', () => {
    for (const code of [400, 401, 402, 404, 408, 422, 429, 433, 455, 500, 501, 505]) {
      it(`create ${code} -> { ok: false, code ${code}, KIE's message }`, async () => {
        await force('create', code, `forced create ${code}`);
        expect(await gw.createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({ ok: false, error: { code, message: `forced create ${code}` } });
      });
    }
  });

  describe('every error code of kie-api.md, forced on recordInfo', () => {
    // Its own simulator at 20x: the job stays in flight for seconds of real time, so the forced 501 hits a
    // running task (at 1000x it could already have succeeded under a loaded test run).
    let slow: KieSimServer;
    let qgw: KieGateway;
    let remoteTaskId: string;
    beforeAll(async () => {
      slow = await startKieSimServer({ port: 0, seed: 9, timeScale: 20, apiKeys: [API_KEY], faults: 'none' });
      qgw = createKieHttpGateway({ baseUrl: slow.url, apiKey: API_KEY });
      const created = await qgw.createTask({ task: spec({ taskId: 'row-q', model: 'sora-2-pro', resolution: '1080p', durationSec: 15 }), attempt: 1, accountId: 'default' });
      if (!created.ok) throw new Error(created.error.message);
      remoteTaskId = created.remoteTaskId;
      // Wait until the record is visible (past "recordInfo is null").
      for (let i = 0; i < 100 && !(await qgw.getTask(remoteTaskId)).ok; i++) await sleep(20);
    });
    afterAll(async () => {
      await slow.close();
    });
    for (const code of [400, 401, 402, 404, 408, 422, 429, 433, 455, 500, 505]) {
      it(`query ${code} -> { ok: false, code ${code} }`, async () => {
        await force('query', code, `forced query ${code}`, slow);
        expect(await qgw.getTask(remoteTaskId)).toEqual({ ok: false, error: { code, message: `forced query ${code}` } });
      });
    }
    it('query 501 -> a terminal `fail` status carrying failCode and failMsg (what the engine retries or not)', async () => {
      await force('query', 501, 'Content policy violation: flagged (nsfw)', slow);
      expect(slow.core.recordOf(slow.core.task(remoteTaskId)!).state).not.toBe('fail');
      const r = await qgw.getTask(remoteTaskId);
      expect(r).toMatchObject({ ok: true, status: { state: 'fail', failCode: '501', failMsg: 'Content policy violation: flagged (nsfw)' } });
      // And it stays failed on the next, unforced poll.
      expect(await qgw.getTask(remoteTaskId)).toMatchObject({ ok: true, status: { state: 'fail', failMsg: 'Content policy violation: flagged (nsfw)' } });
    });
  });

  describe('errors the simulator produces on its own', () => {
    it('a wrong API key -> 401 on both calls (HTTP 401 with the code in the body)', async () => {
      const bad = createKieHttpGateway({ baseUrl: sim.url, apiKey: 'sk-wrong' });
      expect(await bad.createTask({ task: spec(), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 401 } });
      expect(await bad.getTask('task_x')).toMatchObject({ ok: false, error: { code: 401 } });
    });
    it('an unknown task id -> 404', async () => {
      expect(await gw.getTask('task_does_not_exist')).toMatchObject({ ok: false, error: { code: 404, message: expect.stringContaining('not found') } });
    });
    it('an over-long prompt -> refused before sending; sent anyway, a 422 from KIE naming the field', async () => {
      const r = await gw.createTask({ task: spec({ prompt: 'x'.repeat(10_001) }), attempt: 1, accountId: 'default' });
      expect(r).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('not sent: prompt:') } });
      const res = await fetch(`${sim.url}/api/v1/jobs/createTask`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sora-2-text-to-video', input: { prompt: 'x'.repeat(10_001), n_frames: '10' } }),
      });
      expect(await res.json()).toMatchObject({ code: 422, msg: expect.stringMatching(/^input\.prompt: /) });
    });
    it("the create window (20 per 10 s per account) -> 429 in an HTTP 200; the simulator sends no Retry-After", async () => {
      // A separate account at 1x time so the 10 s window cannot roll over mid-test.
      const slow = await startKieSimServer({ port: 0, seed: 3, timeScale: 1, apiKeys: ['sk-rate'], faults: 'none' });
      try {
        const rate = createKieHttpGateway({ baseUrl: slow.url, apiKey: 'sk-rate' });
        const results = [];
        for (let i = 0; i < 21; i++) results.push(await rate.createTask({ task: spec({ taskId: `r${i}` }), attempt: 1, accountId: 'default' }));
        expect(results.slice(0, 20).every((r) => r.ok)).toBe(true);
        expect(results[20]).toEqual({ ok: false, error: { code: 429, message: expect.stringContaining('Rate limited') } });
      } finally {
        await slow.close();
      }
    });
    it('right after create the record does not exist yet -> 422 "recordInfo is null", then it appears', async () => {
      // 10x: the record appears 100-400 ms after create, far longer than one loopback round trip.
      const slow = await startKieSimServer({ port: 0, seed: 4, timeScale: 10, apiKeys: ['sk-grace'], faults: 'none' });
      try {
        const g = createKieHttpGateway({ baseUrl: slow.url, apiKey: 'sk-grace' });
        const created = await g.createTask({ task: spec(), attempt: 1, accountId: 'default' });
        if (!created.ok) throw new Error(created.error.message);
        expect(await g.getTask(created.remoteTaskId)).toEqual({ ok: false, error: { code: 422, message: 'recordInfo is null' } });
        // The simulator's record becomes visible 1-4 simulated seconds after create.
        let r = await g.getTask(created.remoteTaskId);
        for (let i = 0; i < 100 && !r.ok; i++) {
          await sleep(20);
          r = await g.getTask(created.remoteTaskId);
        }
        expect(r).toMatchObject({ ok: true, status: { state: 'waiting' } });
      } finally {
        await slow.close();
      }
    });
  });

  it('a signed completion callback verifies and parses to the same status as a poll', async () => {
    const signed = await startKieSimServer({ port: 0, seed: 5, timeScale: 1000, apiKeys: [API_KEY], faults: 'none', webhookKey: WEBHOOK_KEY });
    const receiver = Fastify();
    const received: Array<{ verdict: ReturnType<typeof verifyKieWebhook>; forged: ReturnType<typeof verifyKieWebhook>; parsed: ReturnType<typeof parseKieCallback> }> = [];
    receiver.post('/kie/callback', async (req) => {
      const parsed = parseKieCallback(req.body);
      const taskId = parsed.ok ? parsed.remoteTaskId : undefined;
      const headers = { timestampHeader: req.headers[KIE_WEBHOOK_HEADERS.timestamp], signatureHeader: req.headers[KIE_WEBHOOK_HEADERS.signature] };
      received.push({
        parsed,
        verdict: verifyKieWebhook({ taskId, ...headers, key: WEBHOOK_KEY, nowMs: Date.now() }),
        forged: verifyKieWebhook({ taskId, ...headers, key: 'some-other-key', nowMs: Date.now() }),
      });
      return { ok: true };
    });
    const receiverUrl = await receiver.listen({ port: 0, host: '127.0.0.1' });
    try {
      const g = createKieHttpGateway({ baseUrl: signed.url, apiKey: API_KEY, callBackUrl: `${receiverUrl}/kie/callback` });
      const created = await g.createTask({ task: spec(), attempt: 1, accountId: 'default' });
      if (!created.ok) throw new Error(created.error.message);
      expect(signed.core.task(created.remoteTaskId)?.body.callBackUrl).toBe(`${receiverUrl}/kie/callback`);
      for (let i = 0; i < 300 && received.length === 0; i++) await sleep(10);
      expect(received).toHaveLength(1);
      const [cb] = received;
      expect(cb!.verdict).toMatchObject({ ok: true });
      expect(cb!.forged).toEqual({ ok: false, reason: 'bad signature' });
      expect(cb!.parsed).toMatchObject({ ok: true, remoteTaskId: created.remoteTaskId, status: { state: 'success' } });
      const polled = await g.getTask(created.remoteTaskId);
      expect(polled.ok && cb!.parsed.ok && polled.status).toEqual(cb!.parsed.ok && cb!.parsed.status);
    } finally {
      await receiver.close();
      await signed.close();
    }
  });
});
